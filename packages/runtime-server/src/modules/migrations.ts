import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { ModuleLoadError } from "./errors.js";

// Pack authors write plain SQL files (`migrations/0001_x.sql`), not drizzle-kit journals, so
// the runtime's drizzle migrator (one journal, one table) does not fit. This runner records
// every applied file per module with a checksum in `module_migrations`, applies each pending
// file in its own transaction together with its record, and refuses a file edited after it
// was applied (the database would silently diverge from the code). The `module_migrations`
// table itself is the runtime's own (src/store/schema.ts, created by the drizzle migrations).

export interface MigrationFile {
  name: string;
  sql: string;
}

/** The `.sql` files of a module's migrations folder, in file-name order. */
export function readMigrationFiles(dir: string): MigrationFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), "utf8") }));
}

/**
 * Applies the pending migrations of one module; returns the names applied now.
 *
 * @example
 * ```ts
 * applyModuleMigrations(store.sqlite, "audit", readMigrationFiles("modules/audit/migrations"), new Date());
 * ```
 */
export function applyModuleMigrations(
  sqlite: Database.Database,
  moduleId: string,
  files: MigrationFile[],
  now: Date,
): string[] {
  const applied = new Map(
    (
      sqlite
        .prepare("SELECT name, checksum FROM module_migrations WHERE module_id = ?")
        .all(moduleId) as Array<{
        name: string;
        checksum: string;
      }>
    ).map((r) => [r.name, r.checksum]),
  );
  const record = sqlite.prepare(
    "INSERT INTO module_migrations (module_id, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
  );
  const done: string[] = [];
  for (const file of files) {
    const checksum = createHash("sha256").update(file.sql).digest("hex");
    const previous = applied.get(file.name);
    if (previous !== undefined) {
      if (previous !== checksum) {
        throw new ModuleLoadError([
          `module ${moduleId}: migration ${file.name} changed after it was applied`,
        ]);
      }
      continue;
    }
    try {
      sqlite.transaction(() => {
        sqlite.exec(file.sql);
        record.run(moduleId, file.name, checksum, now.toISOString());
      })();
    } catch (err) {
      throw new ModuleLoadError(
        [`module ${moduleId}: migration ${file.name} failed: ${(err as Error).message}`],
        {
          cause: err,
        },
      );
    }
    done.push(file.name);
  }
  return done;
}
