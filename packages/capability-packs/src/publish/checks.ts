import path from "node:path";
import type { LoadedPack } from "../catalog/types.js";
import type { PackIssue } from "../errors.js";
import { type ModuleMigration, moduleMigrations } from "./migrations.js";

/**
 * What publishing needs beyond `packs validate` (which already parses every handler for its
 * exports): the pack is an npm package, declares the runtime contract range it works with, and
 * its migrations pass the static checks. Returns the migrations for a dry run on SQLite.
 */
export function checkPublishable(pack: LoadedPack): { issues: PackIssue[]; migrations: ModuleMigration[] } {
  const issues: PackIssue[] = [];
  if (!pack.package) {
    issues.push({
      code: "package_invalid",
      file: pack.manifestFile.replace(/manifest\.yaml$/, "package.json"),
      message:
        'a published pack is an npm package: add a package.json with name, version and "mozaiks": { "manifest": "manifest.yaml" }',
    });
  }
  if (pack.manifest.requires.mozaiks === undefined) {
    issues.push(
      pack.issueAt(
        ["requires"],
        "requires_mozaiks_missing",
        'requires.mozaiks is missing: declare the runtime contract range the pack works with (e.g. ">=1.0.0 <2")',
      ),
    );
  }
  const migrations: ModuleMigration[] = [];
  for (const mod of pack.modules) {
    const r = moduleMigrations(mod);
    issues.push(...r.issues);
    migrations.push(...r.files);
  }
  return { issues, migrations };
}

/**
 * Files the pack needs that a tarball listing (`npm pack --dry-run --json` paths, relative to
 * the package root) leaves out: manifest.yaml, every app_overlay file and the adapter template.
 * A `files` field in package.json that forgets one would publish a pack that cannot be applied.
 */
export function missingFromTarball(
  pack: LoadedPack,
  packageDir: string,
  listed: Iterable<string>,
): PackIssue[] {
  const have = new Set(listed);
  const inPackage = (f: string) =>
    path.relative(packageDir, path.join(pack.dir, f)).split(path.sep).join("/");
  const needed = [
    "manifest.yaml",
    ...pack.overlayFiles.map((f) => `app_overlay/${f}`),
    ...(pack.manifest.adapter_template ? [pack.manifest.adapter_template.source] : []),
  ].map(inPackage);
  return needed
    .filter((f) => !have.has(f))
    .map((f) => ({
      code: "package_file_missing" as const,
      file: "package.json",
      path: "$.files",
      message: `${f} would not be in the tarball; list it (or its folder) in package.json files`,
    }));
}
