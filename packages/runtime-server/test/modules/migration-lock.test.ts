import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/open.js";
import { drivers } from "../helpers/drivers.js";

// Instances starting together on one database apply each module migration once: four processes
// with their own connections migrate the same modules at the same instant.

const SCRIPT = fileURLToPath(new URL("./migrator.ts", import.meta.url));
const PROCESSES = 4;

/** Two modules with three migrations each; the second fills a table, so it takes a while. */
function modulesDir(): string {
  const dir = tempDir("mozaiks-migration-lock-");
  for (const id of ["alpha", "beta"]) {
    const m = join(dir, id, "migrations");
    mkdirSync(m, { recursive: true });
    writeFileSync(join(m, "0001_init.sql"), `CREATE TABLE ${id}_items (i INTEGER PRIMARY KEY);\n`);
    writeFileSync(
      join(m, "0002_fill.sql"),
      `INSERT INTO ${id}_items (i) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT i FROM n;\n`,
    );
    writeFileSync(join(m, "0003_more.sql"), `CREATE TABLE ${id}_more (k TEXT PRIMARY KEY);\n`);
  }
  return dir;
}

describe.each(drivers)("module migrations of instances starting together ($name)", (driver) => {
  it("are applied once, each by exactly one process, and every process starts", async () => {
    const database = await driver.database();
    // The runtime's own migrations first, as a previous release would have left them.
    await (await openDatabase(database)).close();
    const dir = modulesDir();
    const at = Date.now() + 1500;
    const runs = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        promisify(execFile)(
          process.execPath,
          ["--conditions=@mozaiks/source", "--import", "tsx", SCRIPT, database, dir, String(at)],
          { timeout: 60_000 },
        ),
      ),
    );
    const results = runs.map(
      (r) => JSON.parse(r.stdout) as { applied?: Record<string, string[]>; error?: string },
    );
    expect(results.map((r) => r.error)).toEqual(Array(PROCESSES).fill(undefined));
    for (const id of ["alpha", "beta"]) {
      const byProcess = results.flatMap((r) => r.applied?.[id] ?? []);
      expect(byProcess.sort(), id).toEqual(["0001_init.sql", "0002_fill.sql", "0003_more.sql"]);
    }
    const store = await openDatabase(database);
    try {
      expect(await store.sql.get("SELECT COUNT(*) AS n FROM module_migrations")).toEqual({ n: 6 });
      expect(await store.sql.get("SELECT COUNT(*) AS n FROM alpha_items")).toEqual({ n: 20000 });
    } finally {
      await store.close();
    }
  }, 90_000);
});
