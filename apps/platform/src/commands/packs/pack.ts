import path from "node:path";
import {
  checkPublishable,
  loadPack,
  type ModuleMigration,
  missingFromTarball,
  type PackIssue,
  readPackPackage,
} from "@mozaiks/capability-packs";
import Database from "better-sqlite3";
import type { Command } from "commander";
import { ioError } from "../../output/cli-error.js";
import { EXIT } from "../../output/exit-codes.js";
import type { CliContext } from "../../shared/context.js";
import { npm } from "./npm.js";
import { existingDir, failed, refuseIssues } from "./shared.js";

/** Applies every module's migrations, in the runtime's order, to a fresh SQLite database. */
function dryRunMigrations(migrations: ModuleMigration[]): PackIssue[] {
  const db = new Database(":memory:");
  try {
    for (const m of migrations) {
      try {
        db.exec(m.sql);
      } catch (err) {
        return [
          {
            code: "migration_invalid",
            file: m.file,
            message: `does not apply on SQLite: ${(err as Error).message}`,
          },
        ];
      }
    }
    return [];
  } finally {
    db.close();
  }
}

interface NpmPackEntry {
  filename: string;
  integrity: string;
  size: number;
  files: Array<{ path: string }>;
}

/**
 * `packs pack [dir]`: everything `packs validate` checks (contracts, cross-checks, handler
 * exports by parsing), plus what publishing needs (a pack package with `requires.mozaiks`,
 * migrations that pass the static checks and apply on SQLite, a tarball holding every file the
 * pack needs), then `npm pack`. Publishing is plain `npm publish <tarball>`.
 */
export async function packPack(
  ctx: CliContext,
  dir: string,
  flags: { out?: string },
  cmd: Command,
): Promise<void> {
  const abs = existingDir(ctx, dir, "pack folder");
  const read = readPackPackage(abs, ctx.cwd);
  const packDir = read?.pkg?.packDir ?? abs;
  const loaded = loadPack(packDir, { displayRoot: ctx.cwd, ...(read?.pkg ? { package: read.pkg } : {}) });
  const issues: PackIssue[] = [...(read?.issues ?? []), ...loaded.issues];
  const pack = loaded.pack;
  if (pack) {
    const publish = checkPublishable(pack);
    issues.push(...publish.issues);
    if (publish.issues.length === 0) issues.push(...dryRunMigrations(publish.migrations));
  }
  const out = ctx.printer(cmd);
  if (!pack || issues.length > 0) {
    out.result({ ok: false, issues }, () => failed(issues, `in ${dir}`));
    ctx.fail(EXIT.failed);
    return;
  }
  const pkgDir = read?.pkg?.dir ?? abs;
  const listing = JSON.parse(await npm(["pack", "--dry-run", "--json"], pkgDir, ctx.vars)) as NpmPackEntry[];
  const missing = missingFromTarball(pack, pkgDir, listing[0]?.files.map((f) => f.path) ?? []);
  if (refuseIssues(ctx, cmd, missing, `in ${dir}`)) return;
  const dest = path.resolve(ctx.cwd, flags.out ?? ".");
  const packed = JSON.parse(
    await npm(["pack", "--json", "--pack-destination", dest], pkgDir, ctx.vars),
  ) as NpmPackEntry[];
  const entry = packed[0];
  if (!entry) throw ioError("npm pack wrote no tarball");
  const tarball = path.join(dest, entry.filename);
  out.result(
    {
      ok: true,
      capability_pack_id: pack.id,
      package: pack.package?.name,
      version: pack.version,
      tarball,
      integrity: entry.integrity,
      size: entry.size,
      files: entry.files.length,
    },
    () =>
      [
        `packed ${pack.id} as ${pack.package?.name}@${pack.version}: ${tarball} (${entry.files.length} files, ${entry.size} bytes)`,
        `integrity ${entry.integrity}`,
        `publish with: npm publish ${path.relative(ctx.cwd, tarball) || tarball}`,
      ].join("\n"),
  );
}
