import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { beforeEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../src/index.js";

describe("writeFileAtomic", () => {
  let dir: string;
  beforeEach(async () => {
    dir = tempDir("mozaiks-atomic-");
  });

  it("never lets a concurrent reader see a partly written file", async () => {
    const file = join(dir, "entitlement_manifest.json");
    const doc = (n: number) =>
      JSON.stringify({ n, capabilities: Array.from({ length: 20_000 }, (_, i) => `cap.tool.t${i}`) });
    await writeFileAtomic(file, doc(0));
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        const parsed = JSON.parse(await readFile(file, "utf8"));
        expect(parsed.capabilities).toHaveLength(20_000);
        reads++;
      }
    })();
    for (let n = 1; n <= 15; n++) await writeFileAtomic(file, doc(n));
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(file, "utf8")).n).toBe(15);
    expect(await readdir(dir)).toEqual(["entitlement_manifest.json"]);
  });
});
