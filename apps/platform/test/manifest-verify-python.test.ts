import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { beforeAll, describe, expect, it } from "vitest";
import {
  hasPython,
  NO_PYTHON,
  pythonSignedManifests,
  pythonVerify,
} from "../../../packages/entitlements-core/test/fixtures/python-signer.js";
import { mozaiks } from "./helpers.js";

const KEY = "cli-differential-key";
const NOW = "2026-03-15T12:00:00Z";

let dir: string;
beforeAll(async () => {
  dir = tempDir("mozaiks-cli-");
});

/** One genuine document per class JSON.parse gets wrong, so each subprocess earns its cost. */
function sample(texts: readonly string[]): number[] {
  const classes = [
    /: 100000\.0\b/,
    /: -0\.0\b/,
    /: 1\.0\b/,
    /-?\d{20,}/,
    /1e\+21/,
    /[\u0080-\uffff]/,
    /\n {2}"/,
    /"version": "1\.1"/,
  ];
  const picked = new Set<number>();
  for (const re of classes) {
    const i = texts.findIndex((t, j) => re.test(t) && !picked.has(j));
    if (i >= 0) picked.add(i);
  }
  return [...picked];
}

// Registered only without python3, so a missing interpreter shows up as a skip with its reason.
if (!hasPython) {
  describe("CPython differential tests", () => {
    it("need python3", (ctx) => ctx.skip(NO_PYTHON));
  });
}

describe.skipIf(!hasPython)("mozaiks manifest verify on Python-signed manifests", () => {
  it("accepts each genuine document and refuses each tampered copy, as CPython does", async () => {
    const { genuine, tampered } = pythonSignedManifests(KEY);
    const picked = sample(genuine);
    expect(picked.length).toBeGreaterThanOrEqual(7);
    const cases = picked.flatMap((i) => [
      { name: `genuine-${i}.json`, text: genuine[i] as string },
      { name: `tampered-${i}.json`, text: tampered[i] as string },
    ]);
    const python = pythonVerify(
      KEY,
      cases.map((c) => c.text),
    );
    const verdicts: string[] = [];
    // Two subprocesses at a time: the machine is shared.
    for (let i = 0; i < cases.length; i += 2) {
      const batch = cases.slice(i, i + 2);
      const runs = await Promise.all(
        batch.map(async ({ name, text }) => {
          await writeFile(join(dir, name), text);
          return mozaiks(["manifest", "verify", name, "--hmac-key", KEY, "--now", NOW], { cwd: dir });
        }),
      );
      for (const [j, run] of runs.entries()) {
        const { name } = batch[j] as { name: string };
        verdicts.push(run.code === 0 ? "valid" : "invalid");
        if (name.startsWith("genuine"))
          expect(run.stdout.trim()).toBe(`valid: ${name} (entitlement_manifest) signed with HS256`);
        else
          expect(run.stdout).toMatch(new RegExp(`^invalid: ${name}: invalid: HMAC signature does not match`));
      }
    }
    expect(verdicts).toEqual(python);
    expect(python.filter((v) => v === "valid")).toHaveLength(picked.length);
  });

  it("refuses absurdly nested JSON with a clear error, not a stack overflow", async () => {
    await writeFile(join(dir, "deep.json"), `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`);
    const run = await mozaiks(["manifest", "verify", "deep.json", "--hmac-key", KEY], { cwd: dir });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("nesting deeper than 256 levels");
    expect(run.stderr).not.toContain("RangeError");
  });
});
