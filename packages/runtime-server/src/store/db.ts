import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { startCheckpointer, WAL_RESTART_PAGES } from "./checkpointer.js";
import * as schema from "./schema.js";
import { type SqlClient, sqliteClient } from "./sql.js";

/** The migrations folder, resolved relative to this file so it works from `src/` and `dist/`. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../drizzle", import.meta.url));

export type RuntimeDb = BetterSQLite3Database<typeof schema>;

/** An open SQLite runtime database: the drizzle handle, the raw connections, and `close`. */
export interface Store {
  dialect: "sqlite";
  /** The async SQL API shared with PostgreSQL, on the `synchronous = FULL` connection. */
  sql: SqlClient;
  /** `synchronous = FULL`: a commit is on disk before it returns (usage ingest, syncs). */
  db: RuntimeDb;
  sqlite: Database.Database;
  /**
   * A second connection to the same file with `synchronous = NORMAL` (in WAL: durable across a
   * process crash, commits without an fsync) for high-frequency writes whose loss on power
   * failure is tolerable: limit reservations and audit batches. Same as `db` for `:memory:`.
   */
  relaxedDb: RuntimeDb;
  relaxed: Database.Database;
  path: string;
  close(): void;
}

function connect(path: string, synchronous: "FULL" | "NORMAL"): Database.Database {
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  return sqlite;
}

/**
 * Applies pending drizzle-kit migrations inside one `BEGIN IMMEDIATE` transaction: the write lock
 * is taken before the applied migrations are read, so processes opening the same file together
 * migrate once (the others wait on the lock, then find nothing to do). Same bookkeeping table as
 * drizzle's migrator.
 */
function migrateSqlite(sqlite: Database.Database): void {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
  sqlite.exec(
    "CREATE TABLE IF NOT EXISTS __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)",
  );
  sqlite
    .transaction(() => {
      const last = sqlite.prepare("SELECT max(created_at) AS at FROM __drizzle_migrations").get() as {
        at: number | null;
      };
      const record = sqlite.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)");
      for (const m of migrations) {
        if (last.at !== null && Number(last.at) >= m.folderMillis) continue;
        for (const stmt of m.sql) if (stmt.trim() !== "") sqlite.exec(stmt);
        record.run(m.hash, m.folderMillis);
      }
    })
    .immediate();
}

/** How {@link openStore} opens the file. */
export interface OpenStoreOptions {
  /**
   * Checkpoint the WAL from a worker thread (see `startCheckpointer`) instead of inside the
   * commit that fills it: what the server does; short-lived tools and tests keep SQLite's default.
   */
  backgroundCheckpoints?: boolean;
}

/**
 * Opens (creating if needed) the SQLite file in WAL mode and applies pending migrations.
 * `:memory:` gives a private in-memory database (tests).
 *
 * @example
 * ```ts
 * const store = openStore("./data/runtime.db");
 * store.close();
 * ```
 */
export function openStore(path: string, opts: OpenStoreOptions = {}): Store {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  // FULL: an acknowledged ingest batch survives a crash of the process and of the machine.
  const sqlite = connect(path, "FULL");
  const db = drizzle(sqlite, { schema });
  migrateSqlite(sqlite);
  const relaxed = path === ":memory:" ? sqlite : connect(path, "NORMAL");
  const relaxedDb = relaxed === sqlite ? db : drizzle(relaxed, { schema });
  const checkpointer =
    opts.backgroundCheckpoints && path !== ":memory:" ? startCheckpointer(path) : undefined;
  if (checkpointer) for (const c of [sqlite, relaxed]) c.pragma(`wal_autocheckpoint = ${WAL_RESTART_PAGES}`);
  let closed = false;
  return {
    dialect: "sqlite",
    sql: sqliteClient(sqlite),
    db,
    sqlite,
    relaxedDb,
    relaxed,
    path,
    close() {
      if (closed) return;
      closed = true;
      if (relaxed !== sqlite) relaxed.close();
      sqlite.close();
      // Its last checkpoint runs after these connections are gone; nothing waits on it.
      void checkpointer?.stop();
    },
  };
}
