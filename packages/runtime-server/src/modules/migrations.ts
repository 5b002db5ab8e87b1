import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { selectMigrationFiles } from "@mozaiks/capability-packs";
import type { Dialect } from "../store/sql.js";
import type { ModuleDatabase } from "./database.js";
import { ModuleLoadError } from "./errors.js";

// Pack authors write plain SQL files (`migrations/0001_x.sql`), not drizzle-kit journals, so
// the runtime's drizzle migrator (one journal, one table) does not fit. This runner records
// every applied file per module with a checksum in `module_migrations`, applies each pending
// file in its own transaction together with its record, and refuses a file edited after it
// was applied (the database would silently diverge from the code). The `module_migrations`
// table itself is the runtime's own (src/store/schema.ts, created by the drizzle migrations).

export interface MigrationFile {
  /** The name it is recorded under: `0002_x.sql`, also when `0002_x.postgres.sql` was read. */
  name: string;
  sql: string;
}

/**
 * The migrations of a module's folder for `dialect`, in name order: `NNNN_x.<dialect>.sql`
 * replaces `NNNN_x.sql` on that engine, the other engine's files are left out (the rule is
 * `selectMigrationFiles` of @mozaiks/capability-packs, which `packs validate` applies too).
 */
export function readMigrationFiles(dir: string, dialect: Dialect): MigrationFile[] {
  if (!existsSync(dir)) return [];
  return selectMigrationFiles(readdirSync(dir), dialect).map((m) => ({
    name: m.name,
    sql: readFileSync(join(dir, m.file), "utf8"),
  }));
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Applies the pending migrations of one module; resolves with the names applied now. Each
 * file's record is read inside its transaction, under {@link ModuleDatabase.exclusive}, so
 * instances starting together on one database apply it once.
 *
 * @example
 * ```ts
 * const db = moduleDatabase(store);
 * await applyModuleMigrations(db, "audit", readMigrationFiles("modules/audit/migrations", db.dialect), new Date());
 * ```
 */
export function applyModuleMigrations(
  db: ModuleDatabase,
  moduleId: string,
  files: MigrationFile[],
  now: Date,
): Promise<string[]> {
  return db.exclusive(async () => {
    const done: string[] = [];
    for (const file of files) {
      const checksum = sha256(file.sql);
      const applied = await db
        .transaction(`migration ${moduleId}/${file.name}`, async (tx) => {
          const previous = await tx.get<{ checksum: string }>(
            "SELECT checksum FROM module_migrations WHERE module_id = ? AND name = ?",
            [moduleId, file.name],
          );
          if (previous) {
            if (previous.checksum === checksum) return false;
            throw new ModuleLoadError([
              `module ${moduleId}: migration ${file.name} changed after it was applied`,
            ]);
          }
          await tx.exec(file.sql);
          await tx.run(
            "INSERT INTO module_migrations (module_id, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
            [moduleId, file.name, checksum, now.toISOString()],
          );
          return true;
        })
        .catch((err: unknown) => {
          if (err instanceof ModuleLoadError) throw err;
          throw new ModuleLoadError(
            [`module ${moduleId}: migration ${file.name} failed: ${(err as Error).message}`],
            { cause: err },
          );
        });
      if (applied) done.push(file.name);
    }
    return done;
  });
}
