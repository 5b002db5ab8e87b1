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

const NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;
const CREATE_TABLE =
  /\bcreate\s+(?:virtual\s+)?table\s+(?:if\s+not\s+exists\s+)?["`[]?([A-Za-z_][A-Za-z0-9_]*)/gi;

const stripComments = (sql: string) => sql.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");

/**
 * The static checks of a module's migrations before it is published: only `NNNN_<name>.sql`
 * files, numbers unique, none empty, and every table prefixed with the module id (modules share
 * the runtime's database). Returns the files in apply order, for a dry run on a real database.
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
        message: "a migration is a file named NNNN_<name>.sql",
      });
      continue;
    }
    const other = numbers.get(m[1] ?? "");
    if (other)
      issues.push({ code: "migration_invalid", file, message: `number ${m[1]} is also used by ${other}` });
    numbers.set(m[1] ?? "", name);
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
  return { files, issues };
}
