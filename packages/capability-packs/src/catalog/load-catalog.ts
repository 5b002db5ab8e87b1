import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { PackIoError, type PackIssue, PackValidationError } from "../errors.js";
import { displayPath, isDirectory } from "./fs.js";
import { loadPack } from "./load-pack.js";
import type { Catalog, LoadedPack } from "./types.js";

/**
 * Loads every pack under `<root>/<visibility>/<pack_id>/manifest.yaml`. Broken packs are left
 * out of `packs` and their problems collected in `issues`; a pack id found twice is reported.
 *
 * @example
 * ```ts
 * const catalog = loadCatalog("packs");
 * catalog.packs.get("notifications")?.manifest.label; // "Notifications"
 * ```
 */
export function loadCatalog(root: string, options: { displayRoot?: string } = {}): Catalog {
  const abs = path.resolve(root);
  const displayRoot = options.displayRoot ?? process.cwd();
  if (!isDirectory(abs))
    throw new PackIoError(displayPath(abs, displayRoot), "catalog folder does not exist");
  const packs = new Map<string, LoadedPack>();
  const issues: PackIssue[] = [];
  const subdirs = (dir: string) =>
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  for (const visibility of subdirs(abs)) {
    for (const name of subdirs(path.join(abs, visibility))) {
      const dir = path.join(abs, visibility, name);
      if (!existsSync(path.join(dir, "manifest.yaml"))) continue;
      const r = loadPack(dir, { catalogRoot: abs, displayRoot });
      issues.push(...r.issues);
      if (!r.pack) continue;
      const other = packs.get(r.pack.id);
      if (other) {
        issues.push({
          code: "duplicate_pack",
          file: r.pack.manifestFile,
          path: "$.capability_pack_id",
          message: `pack id ${r.pack.id} is also used by ${other.manifestFile}`,
        });
        continue;
      }
      packs.set(r.pack.id, r.pack);
    }
  }
  return { root: abs, packs, issues };
}

/** Like `loadCatalog`, but throws a PackValidationError when any pack is broken. */
export function loadCatalogOrThrow(root: string, options: { displayRoot?: string } = {}): Catalog {
  const catalog = loadCatalog(root, options);
  if (catalog.issues.length > 0) throw new PackValidationError(catalog.issues);
  return catalog;
}
