import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, onTestFinished } from "vitest";

// Every temp directory a test makes is removed by the harness, whether the test passed or
// threw: inside a test (or its beforeEach) when that test finishes, otherwise (module level,
// beforeAll) when the test file is done. Cleanup written at the end of a test body is lost
// when an assertion before it fails, which is how runs used to leave mozaiks-* folders behind.

// One set per process, shared by every test file's copy of this module (vitest evaluates it
// once per file), so a single exit listener removes what a file's afterAll could not.
const key = Symbol.for("@mozaiks/test-utils/temp-dirs");
const registry = globalThis as { [key]?: Set<string> };
const remaining = registry[key] ?? new Set<string>();
if (!registry[key]) {
  registry[key] = remaining;
  process.on("exit", () => {
    for (const dir of remaining) rmSync(dir, { recursive: true, force: true });
  });
}

const mine = new Set<string>();

function remove(dir: string): void {
  remaining.delete(dir);
  mine.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

function removeAll(): void {
  for (const dir of mine) remove(dir);
}

// Registered while the importing test file is collected, so it runs when that file is done.
// Outside a vitest file (a worker script importing a helper) there is no suite to attach to.
try {
  afterAll(removeAll);
} catch {
  // not collecting a test file
}

/** A fresh directory under the OS temp dir, removed automatically (see above). */
export function tempDir(prefix = "mozaiks-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  remaining.add(dir);
  mine.add(dir);
  try {
    onTestFinished(() => remove(dir));
  } catch {
    // not inside a test: removed with the file's afterAll
  }
  return dir;
}
