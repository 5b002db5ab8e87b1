import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { inject } from "vitest";
import { freshPgDatabase as freshDatabase } from "../../src/modules/pg-database.js";
import { openStore } from "../../src/store/db.js";
import type { RuntimeStore } from "../../src/store/open.js";
import { openPgStore } from "../../src/store/postgres.js";
// The `pgAdminUrl` the global setup provides (its ProvidedContext declaration).
import type {} from "./pg-global-setup.js";

/** A fresh, empty database on the test run's PostgreSQL server; resolves with its URL. */
export async function freshPgDatabase(): Promise<string> {
  return (await freshDatabase(inject("pgAdminUrl"))).url;
}

/** One database engine under test: `database()` names a fresh database, `open` opens it. */
export interface Driver {
  name: "sqlite" | "postgres";
  /** A new empty database (a temp file for SQLite), shared by every `open` of it. */
  database(): Promise<string>;
  open(db: string): Promise<RuntimeStore>;
  /** A private database for one test, opened (in-memory for SQLite). */
  scratch(): Promise<RuntimeStore>;
}

export const sqliteDriver: Driver = {
  name: "sqlite",
  async database() {
    return join(tempDir("mozaiks-store-"), "rt.db");
  },
  open: async (path) => openStore(path),
  scratch: async () => openStore(":memory:"),
};

export const postgresDriver: Driver = {
  name: "postgres",
  database: freshPgDatabase,
  open: (url) => openPgStore(url, { max: 4 }),
  scratch: async () => openPgStore(await freshPgDatabase(), { max: 4 }),
};

/** Both engines, for `describe.each(drivers)("…", (driver) => …)`. */
export const drivers: Driver[] = [sqliteDriver, postgresDriver];
