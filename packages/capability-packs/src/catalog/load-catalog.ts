import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { PackIoError, type PackIssue, PackValidationError } from "../errors.js";
import { displayPath, isDirectory } from "./fs.js";
import { loadPack } from "./load-pack.js";
import { readPackPackage } from "./package-json.js";
import type { Catalog, LoadedPack, PackOrigin } from "./types.js";

/**
 * Where packs come from (docs/guides/packs.md#catalog-sources):
 * - `catalog`: `<dir>/<visibility>/<pack_id>/manifest.yaml` (the repo's `packs/`);
 * - `path`: a pack folder, a pack package, or a catalog folder (each `MOZAIKS_PACK_PATHS` entry);
 * - `node_modules`: an app workspace whose `node_modules/` holds installed pack packages.
 */
export type CatalogSource = { kind: PackOrigin["kind"]; dir: string };

interface Found {
  pack: LoadedPack;
  /** Packs found in one source may not share an id; across sources they may at one version. */
  source: number;
}

// Installed packages may be symlinks (pnpm, npm link): follow them.
const subdirs = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter(
      (e) =>
        !e.name.startsWith(".") &&
        (e.isDirectory() || (e.isSymbolicLink() && isDirectory(path.join(dir, e.name)))),
    )
    .map((e) => e.name)
    .sort();

const versionOf = (p: LoadedPack) => p.version ?? "an unversioned folder";
const where = (p: LoadedPack) => `${p.manifestFile} (${p.origin.kind})`;

/** Loads every pack of the sources, in order; see {@link CatalogSource}. */
export function loadCatalogSources(
  sources: ReadonlyArray<CatalogSource>,
  options: { displayRoot?: string } = {},
): Catalog {
  const displayRoot = options.displayRoot ?? process.cwd();
  const found = new Map<string, Found>();
  const issues: PackIssue[] = [];
  const conflicts = new Map<string, PackIssue>();

  const add = (source: number, r: ReturnType<typeof loadPack>) => {
    issues.push(...r.issues);
    const pack = r.pack;
    if (!pack) return;
    const other = found.get(pack.id);
    if (!other) {
      found.set(pack.id, { pack, source });
      return;
    }
    if (other.pack.dir === pack.dir) return;
    if (other.source === source) {
      issues.push({
        code: "duplicate_pack",
        file: pack.manifestFile,
        path: "$.capability_pack_id",
        message: `pack id ${pack.id} is also used by ${other.pack.manifestFile}`,
      });
      return;
    }
    if (pack.version !== undefined && pack.version === other.pack.version) return;
    if (conflicts.has(pack.id)) return;
    conflicts.set(pack.id, {
      code: "pack_version_conflict",
      file: pack.manifestFile,
      message: `pack ${pack.id} is ${versionOf(other.pack)} in ${where(other.pack)} but ${versionOf(pack)} in ${where(pack)}; keep one version (remove a source, or install the other version)`,
    });
  };

  sources.forEach((s, index) => {
    const abs = path.resolve(s.dir);
    const shown = displayPath(abs, displayRoot);
    if (s.kind === "node_modules") {
      const nm = path.join(abs, "node_modules");
      if (!isDirectory(nm)) return;
      const origin: PackOrigin = { kind: "node_modules", root: abs };
      for (const name of subdirs(nm)) {
        const dirs = name.startsWith("@")
          ? subdirs(path.join(nm, name)).map((n) => path.join(nm, name, n))
          : [path.join(nm, name)];
        for (const dir of dirs) {
          const read = readPackPackage(dir, displayRoot);
          if (!read) continue;
          issues.push(...read.issues);
          if (read.pkg) add(index, loadPack(read.pkg.packDir, { displayRoot, package: read.pkg, origin }));
        }
      }
      return;
    }
    if (!isDirectory(abs)) throw new PackIoError(shown, "pack folder does not exist");
    if (s.kind === "path") {
      const origin: PackOrigin = { kind: "path", root: abs };
      if (existsSync(path.join(abs, "manifest.yaml"))) {
        add(index, loadPack(abs, { displayRoot, origin }));
        return;
      }
      const read = readPackPackage(abs, displayRoot);
      if (read) {
        issues.push(...read.issues);
        if (read.pkg) add(index, loadPack(read.pkg.packDir, { displayRoot, package: read.pkg, origin }));
        return;
      }
    }
    const origin: PackOrigin = { kind: s.kind, root: abs };
    for (const visibility of subdirs(abs)) {
      for (const name of subdirs(path.join(abs, visibility))) {
        const dir = path.join(abs, visibility, name);
        if (!existsSync(path.join(dir, "manifest.yaml"))) continue;
        add(index, loadPack(dir, { catalogRoot: abs, displayRoot, origin }));
      }
    }
  });

  const packs = new Map([...found.values()].map((f) => [f.pack.id, f.pack]));
  return { root: path.resolve(sources[0]?.dir ?? "."), packs, issues, conflicts };
}

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
  if (!isDirectory(abs))
    throw new PackIoError(
      displayPath(abs, options.displayRoot ?? process.cwd()),
      "catalog folder does not exist",
    );
  return loadCatalogSources([{ kind: "catalog", dir: abs }], options);
}

/** Like `loadCatalog`, but throws a PackValidationError when any pack is broken. */
export function loadCatalogOrThrow(root: string, options: { displayRoot?: string } = {}): Catalog {
  const catalog = loadCatalog(root, options);
  if (catalog.issues.length > 0) throw new PackValidationError(catalog.issues);
  return catalog;
}
