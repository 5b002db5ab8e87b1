// One instance's start-up migration of pack modules, in a process of its own with its own
// connections: `migrator.ts <database> <modules dir> <start instant ms>` busy-waits for the
// instant (so every process fires together), applies the migrations of each module folder and
// prints `{ applied: { <module>: [names] } }` (or `{ error }`). Driven by migration-lock.test.ts.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { moduleDatabase } from "../../src/modules/database.js";
import { applyModuleMigrations, readMigrationFiles } from "../../src/modules/migrations.js";
import { openDatabase } from "../../src/store/open.js";

const [database = "", modulesDir = "", at = "0"] = process.argv.slice(2);
const store = await openDatabase(database);
const db = moduleDatabase(store);
// Sleep until just before the instant, then busy-wait: a timer alone would let the processes
// drift apart by a scheduling tick or more.
await new Promise((r) => setTimeout(r, Math.max(0, Number(at) - Date.now() - 20)));
while (Date.now() < Number(at)) {
  // spin
}
const applied: Record<string, string[]> = {};
try {
  for (const id of readdirSync(modulesDir).sort()) {
    const files = readMigrationFiles(join(modulesDir, id, "migrations"), db.dialect);
    applied[id] = await applyModuleMigrations(db, id, files, new Date());
  }
  process.stdout.write(JSON.stringify({ applied }));
} catch (err) {
  process.stdout.write(JSON.stringify({ error: (err as Error).message }));
} finally {
  await store.close();
}
