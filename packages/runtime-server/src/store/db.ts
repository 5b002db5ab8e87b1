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
  db: RuntimeDb;
  sqlite: Database.Database;
  path: string;
  close(): void;
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
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  // FULL: an acknowledged ingest batch survives a crash of the process and of the machine.
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  let closed = false;
  return {
    db,
    sqlite,
    path,
    close() {
      if (closed) return;
      closed = true;
      sqlite.close();
    },
  };
}
