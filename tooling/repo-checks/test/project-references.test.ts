import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { workspacePackages } from "../src/dependency-direction.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");

interface Tsconfig {
  references?: Array<{ path: string }>;
}

function readTsconfig(path: string): Tsconfig {
  const { config, error } = ts.readConfigFile(path, ts.sys.readFile);
  if (error) throw new Error(`${path}: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}`);
  return config as Tsconfig;
}

const packages = workspacePackages(ROOT);
const built = packages.filter((p) => existsSync(join(p.dir, "tsconfig.build.json")));
const buildConfigOf = (from: string, name: string) => {
  const dep = built.find((p) => p.name === name);
  return dep ? relative(from, join(dep.dir, "tsconfig.build.json")) : undefined;
};
const refs = (config: Tsconfig) => (config.references ?? []).map((r) => r.path).sort();

// Each file is type-checked once (docs/contributing.md): a package's src/ project emits dist/,
// and every project that uses it references it, so TypeScript reads its declarations instead
// of compiling its sources again. A missing reference would compile them a second time.
describe("TypeScript project references", () => {
  it("reference from each src/ project the src/ projects of the package's dependencies", () => {
    for (const p of built) {
      const runtime = p.dependencies.filter((d) => !p.devOnly?.includes(d));
      const expected = runtime.flatMap((d) => buildConfigOf(p.dir, d) ?? []).sort();
      expect(refs(readTsconfig(join(p.dir, "tsconfig.build.json"))), p.name).toEqual(expected);
    }
  });

  it("reference from each package's tsconfig.json its own src/ project and those of dev dependencies", () => {
    for (const p of built) {
      const dev = (p.devOnly ?? []).flatMap((d) => buildConfigOf(p.dir, d) ?? []);
      expect(refs(readTsconfig(join(p.dir, "tsconfig.json"))), p.name).toEqual(
        ["./tsconfig.build.json", ...dev].sort(),
      );
    }
  });
});
