import { fileURLToPath } from "node:url";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import * as schema from "./schema-pg.js";
import type { SqlClient } from "./sql.js";

/** The PostgreSQL migrations folder (drizzle-kit, `drizzle-pg.config.ts`), from `src/` and `dist/`. */
export const PG_MIGRATIONS_DIR = fileURLToPath(new URL("../../drizzle-pg", import.meta.url));

/** Key of the advisory lock instances take while migrating ("mozaiks" in ASCII, as a bigint). */
const MIGRATION_LOCK = "30803343872453491";

/** An open PostgreSQL runtime database. */
export interface PgStore {
  dialect: "postgres";
  url: string;
  pool: pg.Pool;
  /**
   * A second pool, opened on first use, whose sessions commit with `synchronous_commit = off`:
   * a commit returns before its WAL record is flushed, so a hot counter row is not held locked
   * across a disk flush per call. For what SQLite writes on its `synchronous = NORMAL`
   * connection (limit reservations): a crash of the database server can lose the last few
   * hundred milliseconds of them (an under-count), never corrupt anything or an ingest batch.
   */
  relaxedPool(): pg.Pool;
  db: NodePgDatabase<typeof schema>;
  sql: SqlClient;
  close(): Promise<void>;
}

/** `application_name` of the relaxed pool's sessions (visible in `pg_stat_activity`). */
export const RELAXED_APPLICATION_NAME = "mozaiks-runtime relaxed commits";

// bigint (int8) columns hold millisecond times and counters far below 2^53: read them as numbers.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

/**
 * `?` placeholders → `$1, $2, …` (the runtime's SQL has no `?` inside literals; module SQL
 * follows the same rule, docs/guides/packs.md#backend-code).
 */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** `run`/`get`/`all` over a pool or one pinned client, placeholders numbered once per SQL text. */
export function pgStatements(
  on: pg.Pool | pg.PoolClient,
  cache = new Map<string, string>(),
): Pick<SqlClient, "run" | "get" | "all"> {
  const text = (sql: string) => {
    let t = cache.get(sql);
    if (t === undefined) {
      t = numbered(sql);
      cache.set(sql, t);
    }
    return t;
  };
  const query = (sql: string, params: ReadonlyArray<unknown>) => on.query(text(sql), [...params]);
  return {
    run: async (sql, params = []) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
    get: async <T>(sql: string, params: ReadonlyArray<unknown> = []) =>
      (await query(sql, params)).rows[0] as T | undefined,
    all: async <T>(sql: string, params: ReadonlyArray<unknown> = []) =>
      (await query(sql, params)).rows as T[],
  };
}

/**
 * Runs `fn` on one pool client inside `BEGIN … COMMIT` (`ROLLBACK` when it rejects) and resolves
 * with its result once committed. A client whose rollback failed is in an unknown state: the
 * pool discards it.
 */
export async function inPgTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const out = await fn(client);
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

function pgClient(pool: pg.Pool): SqlClient {
  const cache = new Map<string, string>();
  return {
    dialect: "postgres",
    ...pgStatements(pool, cache),
    batch: (list) =>
      inPgTransaction(pool, async (client) => {
        const on = pgStatements(client, cache);
        const out: number[] = [];
        for (const s of list) out.push((await on.run(s.sql, s.params)).changes);
        return out;
      }),
  };
}

/**
 * Connects to PostgreSQL and applies pending migrations while holding an advisory lock, so
 * several instances starting together migrate once (the others wait, then find nothing to do).
 *
 * @example
 * ```ts
 * const store = await openPgStore("postgres://mozaiks@db:5432/runtime");
 * await store.close();
 * ```
 */
export async function openPgStore(url: string, opts: { max?: number } = {}): Promise<PgStore> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  try {
    const client = await pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      try {
        await migrate(drizzle(client), { migrationsFolder: PG_MIGRATIONS_DIR });
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  let closed: Promise<void> | undefined;
  let relaxed: pg.Pool | undefined;
  return {
    dialect: "postgres",
    url,
    pool,
    relaxedPool() {
      if (!relaxed) {
        relaxed = new pg.Pool({
          connectionString: url,
          max: opts.max ?? 10,
          types,
          options: "-c synchronous_commit=off",
          application_name: RELAXED_APPLICATION_NAME,
        });
        relaxed.on("error", () => undefined);
      }
      return relaxed;
    },
    db: drizzle(pool, { schema }),
    sql: pgClient(pool),
    close() {
      closed ??= Promise.all([pool.end(), relaxed?.end()]).then(() => undefined);
      return closed;
    },
  };
}
