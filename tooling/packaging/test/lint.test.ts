import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { tempDir } from "@mozaiks/test-utils";
import { beforeAll, describe, expect, it } from "vitest";
import { lintTarball } from "../src/lint.js";
import { packAll } from "../src/pack.js";
import { checkedPackages, publishablePackages, ROOT } from "../src/workspace.js";

const exec = promisify(execFile);
let dest: string;
beforeAll(() => {
  dest = tempDir("mozaiks-lint-packages-");
});

describe("published form of the packages", () => {
  it("covers every publishable package (each is a devDependency here, so turbo builds it first)", () => {
    const own = JSON.parse(readFileSync(join(ROOT, "tooling", "packaging", "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    const missing = publishablePackages()
      .map((p) => p.name)
      .filter((name) => own.devDependencies[name] !== "workspace:*");
    expect(missing, "add them to tooling/packaging/package.json devDependencies as workspace:*").toEqual([]);
  });

  it("passes publint and arethetypeswrong for every publishable package", async () => {
    const pkgs = checkedPackages();
    const tarballs = await packAll(pkgs, dest);
    const report: Record<string, string[]> = {};
    for (const p of pkgs) report[p.name] = await lintTarball(tarballs.get(p.name) as string);
    expect(report).toEqual(Object.fromEntries(pkgs.map((p) => [p.name, []])));
  });

  it("reports a package whose exports name type declarations it does not ship (publint)", async () => {
    const problems = await lintTarball(
      await packFixture("missing-types", {
        "package.json": {
          type: "module",
          exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
          files: ["dist"],
        },
        "dist/index.js": "export const x = 1;\n",
      }),
    );
    expect(problems).toContain(
      'publint error: pkg.exports["."].types is ./dist/index.d.ts but the file does not exist.',
    );
  });

  it("reports types that disagree with the JavaScript they describe (arethetypeswrong)", async () => {
    const problems = await lintTarball(
      await packFixture("false-esm", {
        "package.json": { exports: { ".": { types: "./index.d.mts", default: "./index.js" } } },
        "index.js": "module.exports = { x: 1 };\n",
        "index.d.mts": "export declare const x: number;\n",
      }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^arethetypeswrong:[\s\S]*Masquerading as ESM/);
  });
});

/** Packs a throw-away package with npm (what a third party publishes) and returns the tarball. */
async function packFixture(name: string, files: Record<string, unknown>): Promise<string> {
  const dir = join(dest, name);
  for (const [file, content] of Object.entries(files)) {
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    const text =
      file === "package.json"
        ? JSON.stringify({ name, version: "1.0.0", ...(content as object) })
        : String(content);
    writeFileSync(path, text);
  }
  const { stdout } = await exec("npm", ["pack", "--silent", "--pack-destination", dest], { cwd: dir });
  return join(dest, stdout.trim());
}
