import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");
const CONFIG = join(ROOT, "packages", "runtime-server", "src", "config.ts");
const GUIDE = join(ROOT, "docs", "guides", "deploy.md");

/** The variables `RuntimeEnvSchema` declares (its object keys). */
function declaredVariables(source: string): string[] {
  const start = source.indexOf("export const RuntimeEnvSchema");
  const end = source.indexOf(".superRefine(", start);
  const body = source.slice(start, end);
  return [...body.matchAll(/^\s{4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] as string);
}

describe("environment reference (docs/guides/deploy.md)", () => {
  it("has a row for every variable the runtime's configuration reads", () => {
    const vars = declaredVariables(readFileSync(CONFIG, "utf8"));
    expect(vars).toContain("MOZAIKS_APP_ID");
    const rows = new Set(
      [...readFileSync(GUIDE, "utf8").matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1] as string),
    );
    expect(vars.filter((v) => !rows.has(v))).toEqual([]);
  });
});
