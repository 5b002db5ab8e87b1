import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { anchorsOf, checkLinks, slugOf } from "../src/doc-links.js";
import { formatFindings, repositoryFiles } from "../src/stands-alone.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
// Built at run time so the made-up paths below are not checked as citations of this repository.
const docs = ["do", "cs"].join("");

function checkAll(root: string) {
  return repositoryFiles(root).flatMap((file) => {
    const path = join(root, file);
    if (!statSync(path).isFile()) return [];
    const text = readFileSync(path, "utf8");
    return text.includes("\0") ? [] : checkLinks(file, text, root);
  });
}

describe("links to the project's own docs", () => {
  it("lead to files and headings that exist, in every file of the repository", () => {
    expect(formatFindings(checkAll(ROOT))).toBe("");
  });

  it("derives heading anchors the way GitHub does", () => {
    expect(slugOf("Following a run (SSE)")).toBe("following-a-run-sse");
    expect(slugOf("v1.1 entitlement syncs")).toBe("v11-entitlement-syncs");
    expect(slugOf("`manifest.yaml`")).toBe("manifestyaml");
    expect([...anchorsOf("# A\n## Notes\n```\n# not a heading\n```\n## Notes\n")]).toEqual([
      "a",
      "notes",
      "notes-1",
    ]);
  });

  it("reports a missing file, a missing heading and a link out of the repository", () => {
    const root = tempDir("mozaiks-links-");
    mkdirSync(join(root, "manual", "guides"), { recursive: true });
    mkdirSync(join(root, docs));
    writeFileSync(join(root, "manual", "api.md"), "# API\n\n## Errors\n");
    writeFileSync(join(root, docs, "api.md"), "# API\n\n## Errors\n");
    const guide = [
      "See [errors](../api.md#errors) and [the API](../api.md).", // fine
      "See [gone](../gone.md) and [nowhere](../api.md#routes).",
      "See [outside](../../../elsewhere.md) and [the web](https://example.com/x.md).",
      "```",
      "[not a link](inside-a-fence.md)",
      "```",
    ].join("\n");
    writeFileSync(join(root, "manual", "guides", "g.md"), guide);
    writeFileSync(
      join(root, "code.ts"),
      `// ${docs}/api.md#errors is fine; ${docs}/api.md#codes is not; ${docs}/none.md neither.\n`,
    );
    const found = ["manual/guides/g.md", "code.ts"].flatMap((f) =>
      checkLinks(f, readFileSync(join(root, f), "utf8"), root).map((x) => `${x.file}:${x.line} ${x.reason}`),
    );
    expect(found).toEqual([
      "manual/guides/g.md:2 link to a file that does not exist: ../gone.md",
      "manual/guides/g.md:2 no heading #routes in manual/api.md",
      "manual/guides/g.md:3 link leaves the repository: ../../../elsewhere.md",
      `code.ts:1 no heading #codes in ${docs}/api.md`,
      `code.ts:1 link to a file that does not exist: ${docs}/none.md`,
    ]);
  });
});
