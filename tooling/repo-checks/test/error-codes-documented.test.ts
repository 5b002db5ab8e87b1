import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** `code: status` pairs of the ERROR_STATUS table, read from its source. */
function errorStatus(): Array<[string, number]> {
  const source = readFileSync(join(ROOT, "packages/contracts/src/errors.ts"), "utf8");
  const table = /export const ERROR_STATUS = \{([\s\S]*?)\}/.exec(source)?.[1] ?? "";
  return [...table.matchAll(/^\s*([a-z_]+):\s*(\d{3}),?\s*$/gm)].map((m) => [m[1] as string, Number(m[2])]);
}

/** status → codes of the table under "## Errors" in the runtime API reference. */
function documentedStatus(): Map<number, string> {
  const doc = readFileSync(join(ROOT, "docs/reference/runtime-api.md"), "utf8");
  const section = doc.slice(doc.indexOf("\n## Errors"));
  const rows = new Map<number, string>();
  for (const m of section.matchAll(/^\|\s*(\d{3})\s*\|(.*)\|\s*$/gm)) rows.set(Number(m[1]), m[2] as string);
  return rows;
}

describe("error codes", () => {
  it("are each documented with their status in docs/reference/runtime-api.md", () => {
    const codes = errorStatus();
    expect(codes.length).toBeGreaterThan(10);
    const rows = documentedStatus();
    const missing = codes
      .filter(([code, status]) => !(rows.get(status) ?? "").includes(`\`${code}\``))
      .map(([code, status]) => `${status} ${code}`);
    expect(missing, "add these to the Errors table of docs/reference/runtime-api.md").toEqual([]);
  });

  it("documented in docs/reference/runtime-api.md all exist, with that status", () => {
    const known = new Map(errorStatus());
    const stray = [...documentedStatus()].flatMap(([status, cell]) =>
      [...cell.matchAll(/`([a-z_]+)`/g)]
        .map((m) => m[1] as string)
        .filter((code) => known.get(code) !== status)
        .map((code) => `${status} ${code}`),
    );
    expect(stray, "not in ERROR_STATUS with this status").toEqual([]);
  });
});
