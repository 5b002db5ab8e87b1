import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");

/** A package of the workspace that is published to npm. */
export interface PublishablePackage {
  name: string;
  version: string;
  dir: string;
  bin: Record<string, string>;
}

/** Every non-private package under packages/ and apps/, in name order. */
export function publishablePackages(root = ROOT): PublishablePackage[] {
  const out: PublishablePackage[] = [];
  for (const group of ["packages", "apps"]) {
    for (const entry of readdirSync(join(root, group))) {
      const dir = join(root, group, entry);
      const file = join(dir, "package.json");
      if (!existsSync(file)) continue;
      const m = JSON.parse(readFileSync(file, "utf8")) as {
        name: string;
        version: string;
        private?: boolean;
        bin?: Record<string, string>;
      };
      if (m.private) continue;
      out.push({ name: m.name, version: m.version, dir, bin: m.bin ?? {} });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The packages these checks pack: the publishable ones this package depends on (the
 * dependency is what makes turbo build them before the checks run). A test fails when a
 * publishable package is missing from the list.
 */
export function checkedPackages(root = ROOT): PublishablePackage[] {
  const own = JSON.parse(readFileSync(join(root, "tooling", "packaging", "package.json"), "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  const deps = new Set(Object.keys(own.devDependencies ?? {}));
  return publishablePackages(root).filter((p) => deps.has(p.name));
}
