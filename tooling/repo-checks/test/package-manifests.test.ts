import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { workspacePackages } from "../src/dependency-direction.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");

interface Manifest {
  name: string;
  type?: string;
  private?: boolean;
  engines?: { node?: string };
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  files?: string[];
}

const read = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;
const packages = workspacePackages(ROOT).map((p) => ({
  ...p,
  manifest: read<Manifest>(join(p.dir, "package.json")),
}));

describe("package manifests", () => {
  it("puts every publishable package in the one changesets fixed group", () => {
    const config = read<{ fixed: string[][] }>(join(ROOT, ".changeset", "config.json"));
    const matches = (name: string) =>
      config.fixed.some((group) =>
        group.some((g) => g === name || (g.endsWith("/*") && name.startsWith(g.slice(0, -1)))),
      );
    expect(config.fixed).toHaveLength(1);
    for (const p of packages.filter((p) => !p.manifest.private)) expect(matches(p.name), p.name).toBe(true);
  });

  it("ships ESM with an exports map whose source condition precedes types and default", () => {
    for (const { name, manifest } of packages) {
      expect(manifest.type, name).toBe("module");
      expect(manifest.engines?.node, name).toMatch(/^>=20/);
      const root = manifest.exports?.["."] as Record<string, string> | undefined;
      expect(root, `${name} exports["."]`).toBeDefined();
      expect(Object.keys(root ?? {}), name).toEqual(["@mozaiks/source", "types", "default"]);
      expect(root?.types, name).toMatch(/^\.\/dist\/.*\.d\.ts$/);
      expect(manifest.files, name).toContain("dist");
    }
  });

  it("points every bin at a built file whose source has a node shebang", () => {
    for (const { name, dir, manifest } of packages) {
      for (const [bin, target] of Object.entries(manifest.bin ?? {})) {
        const source = join(dir, target.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"));
        expect(existsSync(source), `${name} bin ${bin}: ${source}`).toBe(true);
        expect(readFileSync(source, "utf8").startsWith("#!/usr/bin/env node"), `${name} bin ${bin}`).toBe(
          true,
        );
      }
    }
  });

  it("pins the package manager so corepack and ./run install the same pnpm", () => {
    const root = read<{ packageManager?: string }>(join(ROOT, "package.json"));
    expect(root.packageManager).toMatch(/^pnpm@\d+\.\d+\.\d+$/);
  });
});
