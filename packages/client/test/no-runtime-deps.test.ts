import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

describe("@mozaiks/client dependencies", () => {
  it("imports nothing at run time but its own modules (contracts as types only)", () => {
    for (const f of readdirSync(SRC).filter((n) => n.endsWith(".ts"))) {
      const text = readFileSync(join(SRC, f), "utf8");
      for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gms)) {
        const [, , typeOnly, spec] = m;
        if (spec?.startsWith("./")) continue;
        expect(typeOnly, `${f} imports ${spec} at run time`).toBe("type ");
      }
    }
  });
});
