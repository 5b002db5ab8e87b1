import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema.js";

/** The migrations folder, resolved relative to this file so it works from `src/` and `dist/`. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../drizzle", import.meta.url));

export type RuntimeDb = BetterSQLite3Database<typeof schema>;

/** An open runtime database: the drizzle handle, the raw connection, and `close`. */
export interface Store {
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
 * Opens (creating if needed) the SQLite file in WAL mode and applies pending migrations.
 * `:memory:` gives a private in-memory database (tests).
 *
 * @example
 * ```ts
 * const store = openStore("./data/runtime.db");
 * store.close();
 * ```
 */
export function openStore(path: string): Store {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  // FULL: an acknowledged ingest batch survives a crash of the process and of the machine.
  const sqlite = connect(path, "FULL");
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  const relaxed = path === ":memory:" ? sqlite : connect(path, "NORMAL");
  const relaxedDb = relaxed === sqlite ? db : drizzle(relaxed, { schema });
  let closed = false;
  return {
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
    },
  };
}
