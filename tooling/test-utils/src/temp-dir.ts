import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, onTestFinished } from "vitest";

// Every temp directory a test makes is removed by the harness, whether the test passed or
// threw: inside a test (or its beforeEach) when that test finishes, otherwise (module level,
// beforeAll) when the test file is done. Cleanup written at the end of a test body is lost
// when an assertion before it fails, which is how runs used to leave mozaiks-* folders behind.

const remaining = new Set<string>();

function remove(dir: string): void {
  remaining.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

function removeAll(): void {
  for (const dir of remaining) remove(dir);
}

// Registered while the importing test file is collected, so it runs when that file is done.
// Outside a vitest file (a worker script importing a helper) there is no suite to attach to.
try {
  afterAll(removeAll);
} catch {
  // not collecting a test file
}
process.on("exit", removeAll);

/** A fresh directory under the OS temp dir, removed automatically (see above). */
export function tempDir(prefix = "mozaiks-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  remaining.add(dir);
  try {
    onTestFinished(() => remove(dir));
  } catch {
    // not inside a test: removed with the file's afterAll
  }
  return dir;
}
