import type Database from "better-sqlite3";

/** The two database engines the runtime runs on. */
export type Dialect = "sqlite" | "postgres";

/** One parameterised statement; `?` marks a parameter in both dialects. */
export interface Statement {
  sql: string;
  params?: ReadonlyArray<unknown>;
}

/**
 * The async SQL API the control layer's stores are written against once for both engines.
 * Statements use `?` placeholders and SQL both dialects accept (`ON CONFLICT … DO UPDATE`,
 * `excluded.`, subqueries); the PostgreSQL client numbers the placeholders.
 *
 * There is no open-ended transaction: on SQLite a transaction held across an `await` would block
 * the other connection's synchronous writers of the same process. `batch` runs a fixed list of
 * statements atomically instead.
 */
export interface SqlClient {
  readonly dialect: Dialect;
  run(sql: string, params?: ReadonlyArray<unknown>): Promise<{ changes: number }>;
  get<T>(sql: string, params?: ReadonlyArray<unknown>): Promise<T | undefined>;
  all<T>(sql: string, params?: ReadonlyArray<unknown>): Promise<T[]>;
  /** Runs `statements` in one transaction, in order; resolves with each one's changed rows. */
  batch(statements: ReadonlyArray<Statement>): Promise<number[]>;
}

/** A {@link SqlClient} over one better-sqlite3 connection (statements cached per SQL text). */
export function sqliteClient(db: Database.Database): SqlClient {
  const cache = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  // better-sqlite3 is synchronous: each call completes before it returns, so no statement of
  // another caller can run in the middle of a batch.
  const batch = db.transaction((list: ReadonlyArray<Statement>) =>
    list.map((s) => stmt(s.sql).run(...(s.params ?? [])).changes),
  );
  return {
    dialect: "sqlite",
    run: async (sql, params = []) => ({ changes: stmt(sql).run(...params).changes }),
    get: async <T>(sql: string, params: ReadonlyArray<unknown> = []) =>
      stmt(sql).get(...params) as T | undefined,
    all: async <T>(sql: string, params: ReadonlyArray<unknown> = []) => stmt(sql).all(...params) as T[],
    batch: async (list) => batch.immediate(list),
  };
}
