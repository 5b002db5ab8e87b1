import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { checkStandsAlone, formatFindings, repositoryFiles } from "../src/stands-alone.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

// The forbidden strings are assembled at run time so this file does not trip the check itself.
const up = "..";
const outside = `${up}/shared`;
const design = ["DESIGN", "md"].join(".");
const sign = "\u00a7";
const section = `DESIGN ${sign}2`;
const workspace = ["", "work", "shared"].join("/");
const seed = ["seed", "003"].join(" ");

function fixtureRepo(files: Record<string, string>): string {
  const root = tempDir("mozaiks-alone-");
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

describe("the repository stands alone", () => {
  it("has no file that reads a folder beside the checkout or cites documents outside it", () => {
    const findings = checkStandsAlone(ROOT);
    expect(formatFindings(findings)).toBe("");
  });

  it("lists the repository's own files, never node_modules or dist", () => {
    const files = repositoryFiles(ROOT);
    expect(files).toContain("turbo.json");
    expect(files).toContain("tooling/repo-checks/src/stands-alone.ts");
    expect(files.some((f) => /(^|\/)(node_modules|dist)\//.test(f))).toBe(false);
  });

  it("reports each kind of outside reference with file and line, once per rule and line", () => {
    const root = fixtureRepo({
      "turbo.json": `{ "inputs": ["src/**", "$TURBO_ROOT$/${outside}/**"] }\n`,
      "packages/a/test/x.test.ts": `const dir = path.resolve(root, "${outside}/examples");\n`,
      "packages/a/test/support/y.ts": `const dir = "${up}/${up}/${up}/${up}/${outside}/examples";\n`,
      "notes/guide.md": `Intro.\nSee ${workspace}/${design} and ${section}.\n`,
      "packages/a/src/z.ts": `// The defaults of ${seed}, (${sign}4, ${sign}5).\n`,
    });
    const found = checkStandsAlone(root).map((f) => `${f.file}:${f.line}`);
    expect(found.sort()).toEqual(
      [
        "turbo.json:1",
        "packages/a/test/x.test.ts:1",
        "packages/a/test/support/y.ts:1",
        "notes/guide.md:2", // the absolute path
        "notes/guide.md:2", // the document, by name and by section
        "notes/guide.md:2", // its section number
        "packages/a/src/z.ts:1", // the source document
        "packages/a/src/z.ts:1", // the bare section numbers, reported once for the line
      ].sort(),
    );
  });

  it("accepts relative paths that stay inside the repository and RFC section numbers", () => {
    const root = fixtureRepo({
      "apps/cli/src/shared/flags.ts": "export const x = 1;\n",
      "apps/cli/src/commands/run.ts": `import { x } from "${outside}/flags.js";\n`,
      "packages/a/src/jcs.ts": `// Escapes exactly as RFC 8785 ${sign}3.2.2.2 requires.\n`,
      "node_modules/dep/README.md": `${design} ${seed}\n`,
      "packages/a/dist/index.js": `// ${seed}\n`,
    });
    expect(formatFindings(checkStandsAlone(root))).toBe("");
  });
});
