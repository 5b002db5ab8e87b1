import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { LoadedModule } from "../catalog/types.js";
import type { PackIssue } from "../errors.js";

/** One migration file of a module, in the order the runtime applies them (file name). */
export interface ModuleMigration {
  module_id: string;
  name: string;
  sql: string;
  /** Display path of the file. */
  file: string;
}

/** The engines a migration file may be specific to: `NNNN_x.sqlite.sql`, `NNNN_x.postgres.sql`. */
export type MigrationDialect = "sqlite" | "postgres";

const DIALECT_FILE = /^(.+)\.(sqlite|postgres)\.sql$/;
const NAME = /^(\d{4})_[a-z0-9_]+(?:\.(?:sqlite|postgres))?\.sql$/;
const CREATE_TABLE =
  /\bcreate\s+(?:virtual\s+)?table\s+(?:if\s+not\s+exists\s+)?["`[]?([A-Za-z_][A-Za-z0-9_]*)/gi;

const stripComments = (sql: string) => sql.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");

/**
 * The rule for dialect-specific migrations, for the runtime and `packs pack` alike: of the
 * `.sql` files of a migrations folder, `NNNN_x.<dialect>.sql` replaces `NNNN_x.sql` on that
 * engine, and a file for the other engine is left out. Every migration is recorded under its
 * generic name (`NNNN_x.sql`), so the history reads the same on both engines. In name order.
 *
 * @example
 * ```ts
 * selectMigrationFiles(["0001_a.sql", "0002_b.sql", "0002_b.postgres.sql"], "postgres");
 * // [{ name: "0001_a.sql", file: "0001_a.sql" }, { name: "0002_b.sql", file: "0002_b.postgres.sql" }]
 * ```
 */
export function selectMigrationFiles(
  files: readonly string[],
  dialect: MigrationDialect,
): Array<{ name: string; file: string }> {
  const chosen = new Map<string, string>();
  for (const file of files) {
    if (!file.endsWith(".sql")) continue;
    const specific = DIALECT_FILE.exec(file);
    if (!specific) {
      if (!chosen.has(file)) chosen.set(file, file);
    } else if (specific[2] === dialect) chosen.set(`${specific[1]}.sql`, file);
  }
  return [...chosen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, file]) => ({ name, file }));
}

/**
 * The static checks of a module's migrations before it is published: only `NNNN_<name>.sql`
 * files (or their `.sqlite.sql` / `.postgres.sql` variants), numbers unique, none empty, and
 * every table prefixed with the module id (modules share the runtime's database). Returns the
 * files SQLite applies, in order, for a dry run on a real database.
 */
export function moduleMigrations(mod: LoadedModule): { files: ModuleMigration[]; issues: PackIssue[] } {
  const rel = mod.manifest.migrations;
  const dir = path.join(mod.dir, rel);
  const issues: PackIssue[] = [];
  const shown = `${mod.files.module.replace(/module\.yaml$/, "")}${rel}`;
  if (!existsSync(dir)) return { files: [], issues };
  const files: ModuleMigration[] = [];
  const numbers = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const file = `${shown}/${name}`;
    const m = NAME.exec(name);
    if (!m || !statSync(path.join(dir, name)).isFile()) {
      issues.push({
        code: "migration_invalid",
        file,
        message: "a migration is a file named NNNN_<name>.sql (or NNNN_<name>.postgres.sql / .sqlite.sql)",
      });
      continue;
    }
    // A generic file and its dialect variants share their number.
    const generic = name.replace(DIALECT_FILE, "$1.sql");
    const other = numbers.get(m[1] ?? "");
    if (other && other !== generic)
      issues.push({ code: "migration_invalid", file, message: `number ${m[1]} is also used by ${other}` });
    numbers.set(m[1] ?? "", generic);
    const sql = readFileSync(path.join(dir, name), "utf8");
    if (stripComments(sql).trim() === "") {
      issues.push({ code: "migration_invalid", file, message: "the migration is empty" });
      continue;
    }
    for (const t of stripComments(sql).matchAll(CREATE_TABLE)) {
      const table = t[1] ?? "";
      if (table !== mod.module_id && !table.startsWith(`${mod.module_id}_`)) {
        issues.push({
          code: "migration_invalid",
          file,
          message: `table ${table} must be prefixed with the module id (${mod.module_id}_…): modules share the runtime's database`,
        });
      }
    }
    files.push({ module_id: mod.module_id, name, sql, file });
  }
  const applied = new Set(
    selectMigrationFiles(
      files.map((f) => f.name),
      "sqlite",
    ).map((f) => f.file),
  );
  return { files: files.filter((f) => applied.has(f.name)), issues };
}
