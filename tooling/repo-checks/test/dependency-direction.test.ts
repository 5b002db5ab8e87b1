import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import {
  ALLOWED_DEPENDENCIES,
  checkPackage,
  importsOf,
  reachable,
  workspacePackages,
} from "../src/dependency-direction.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

describe("dependency direction (docs/architecture.md)", () => {
  it("governs every package under packages/ and apps/", () => {
    const names = workspacePackages(ROOT)
      .map((p) => p.name)
      .sort();
    expect(names).toEqual(Object.keys(ALLOWED_DEPENDENCIES).sort());
  });

  it("holds for every package of the repository", () => {
    const violations = workspacePackages(ROOT).flatMap((p) => checkPackage(p, ROOT));
    expect(violations).toEqual([]);
  });

  it("has no cycles in the allowed graph", () => {
    for (const pkg of Object.keys(ALLOWED_DEPENDENCIES)) expect(reachable(pkg).has(pkg), pkg).toBe(false);
  });

  it("reports an import against the arrows and a reach into another package by path", () => {
    const root = tempDir("mozaiks-deps-");
    const dir = join(root, "packages", "contracts");
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(
      join(dir, "src", "bad.ts"),
      'import { x } from "@mozaiks/runtime-server";\nimport { y } from "../../entitlements-core/src/index.js";\nimport type { Z } from "./ok.js";\n',
    );
    const violations = checkPackage(
      { name: "@mozaiks/contracts", dir, dependencies: ["@mozaiks/entitlements-core"] },
      root,
    );
    expect(violations.map((v) => [v.file, v.target])).toEqual([
      ["package.json", "@mozaiks/entitlements-core"],
      [join("packages", "contracts", "src", "bad.ts"), "@mozaiks/runtime-server"],
      [join("packages", "contracts", "src", "bad.ts"), "../../entitlements-core/src/index.js"],
    ]);
  });

  it("checks JSX sources (.tsx) like any other", () => {
    const root = tempDir("mozaiks-deps-");
    const dir = join(root, "packages", "contracts");
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(join(dir, "src", "view.tsx"), 'import { x } from "@mozaiks/runtime-server";\n');
    const violations = checkPackage({ name: "@mozaiks/contracts", dir, dependencies: [] }, root);
    expect(violations.map((v) => v.file)).toEqual([join("packages", "contracts", "src", "view.tsx")]);
  });

  it("recognizes static, type-only, re-export, dynamic and side-effect imports", () => {
    const src = [
      'import a from "a";',
      'import type { B } from "b";',
      'export * from "c";',
      'const d = await import("d");',
      'import "e";',
      "import {\n  f,\n  g,\n} from 'f';",
    ].join("\n");
    expect(importsOf(src)).toEqual(["a", "b", "c", "d", "e", "f"]);
  });
});
