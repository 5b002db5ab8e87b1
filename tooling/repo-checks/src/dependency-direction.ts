import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";

/**
 * The dependency arrows of docs/architecture.md: each package and the workspace packages it may depend on
 * directly. Anything reachable through them is allowed too (a CLI may use contracts).
 */
export const ALLOWED_DEPENDENCIES: Record<string, string[]> = {
  "@mozaiks/contracts": [],
  "@mozaiks/entitlements-core": ["@mozaiks/contracts"],
  "@mozaiks/platform-resolver": ["@mozaiks/contracts", "@mozaiks/entitlements-core"],
  "@mozaiks/capability-packs": ["@mozaiks/contracts"],
  "@mozaiks/runtime-server": [
    "@mozaiks/contracts",
    "@mozaiks/entitlements-core",
    "@mozaiks/capability-packs",
  ],
  "@mozaiks/runtime": ["@mozaiks/runtime-server"],
  // Type-only imports of contracts: the built client loads nothing at run time (packages/client).
  "@mozaiks/client": ["@mozaiks/contracts"],
  "@mozaiks/platform": ["@mozaiks/platform-resolver", "@mozaiks/capability-packs"],
};

/**
 * Workspace packages a package may list as devDependencies only (its tests), beyond what it may
 * depend on: the client is tested against a real runtime. Never reachable from `src/`.
 */
export const TEST_ONLY_DEPENDENCIES: Record<string, string[]> = {
  "@mozaiks/client": ["@mozaiks/runtime-server"],
};

export interface Violation {
  pkg: string;
  file: string;
  target: string;
  reason: string;
}

export interface WorkspacePackage {
  name: string;
  dir: string;
  dependencies: string[];
  /** The subset of `dependencies` declared as devDependencies only. */
  devOnly?: string[];
}

/** Everything a package may reach by following the allowed arrows. */
export function reachable(pkg: string, graph = ALLOWED_DEPENDENCIES): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph[pkg] ?? [])];
  while (stack.length) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(graph[next] ?? []));
  }
  return seen;
}

const IMPORT_RE =
  /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g;

/** Module specifiers imported by a TypeScript/JavaScript source text. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2] ?? m[3]) as string);
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "dist") continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(tsx?|mts|js|mjs)$/.test(entry)) out.push(path);
  }
  return out;
}

/**
 * Checks one package: its declared workspace dependencies and every `@mozaiks/*` import in
 * its `src/` must follow the arrows, and no import may reach into another package by path.
 */
export function checkPackage(pkg: WorkspacePackage, root: string, graph = ALLOWED_DEPENDENCIES): Violation[] {
  const violations: Violation[] = [];
  const allowed = reachable(pkg.name, graph);
  const isGoverned = (name: string) => name in graph;
  const testOnly = new Set(graph === ALLOWED_DEPENDENCIES ? (TEST_ONLY_DEPENDENCIES[pkg.name] ?? []) : []);
  for (const dep of pkg.dependencies) {
    if (isGoverned(dep) && !allowed.has(dep) && !(testOnly.has(dep) && pkg.devOnly?.includes(dep))) {
      violations.push({
        pkg: pkg.name,
        file: "package.json",
        target: dep,
        reason: "dependency against the arrows of docs/architecture.md",
      });
    }
  }
  const srcDir = join(pkg.dir, "src");
  let files: string[] = [];
  try {
    files = sourceFiles(srcDir);
  } catch {
    return violations;
  }
  for (const file of files) {
    const rel = relative(root, file);
    for (const spec of importsOf(readFileSync(file, "utf8"))) {
      const bare = spec.match(/^(@mozaiks\/[^/]+)/)?.[1];
      if (bare && bare !== pkg.name && isGoverned(bare) && !allowed.has(bare)) {
        violations.push({
          pkg: pkg.name,
          file: rel,
          target: spec,
          reason: "import against the arrows of docs/architecture.md",
        });
      }
      if (spec.startsWith(".")) {
        const target = resolve(file, "..", spec);
        if (!target.startsWith(pkg.dir + sep)) {
          violations.push({
            pkg: pkg.name,
            file: rel,
            target: spec,
            reason: "relative import outside the package (import the package name)",
          });
        }
      }
    }
  }
  return violations;
}

/** Lists the governed workspace packages under packages/ and apps/. */
export function workspacePackages(root: string): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const group of ["packages", "apps"]) {
    for (const entry of readdirSync(join(root, group))) {
      const dir = join(root, group, entry);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const runtime = Object.keys(manifest.dependencies ?? {});
      const dev = Object.keys(manifest.devDependencies ?? {});
      out.push({
        name: manifest.name,
        dir,
        dependencies: [...runtime, ...dev],
        devOnly: dev.filter((d) => !runtime.includes(d)),
      });
    }
  }
  return out;
}
