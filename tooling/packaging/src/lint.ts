import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
// The CLI exports no entry point of its own: run its bin file.
const ATTW = join(dirname(require.resolve("@arethetypeswrong/cli/package.json")), "dist", "index.js");

/**
 * What publint and arethetypeswrong find wrong with one packed package (empty when nothing).
 * publint reads the tarball (warnings count as errors); attw resolves its types the way
 * TypeScript does under node16 and bundler resolution, for ESM consumers (`esm-only`: the
 * packages ship no CommonJS build).
 */
export async function lintTarball(tarball: string): Promise<string[]> {
  const problems: string[] = [];
  const bytes = await readFile(tarball);
  const { messages, pkg: manifest } = await publint({
    // With a tarball, publint reads the unpacked files (their root is taken from the tarball).
    pack: {
      tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    },
    level: "warning",
    strict: true,
  });
  for (const m of messages)
    problems.push(`publint ${m.type}: ${formatMessage(m, manifest, { color: false }) ?? m.code}`);
  try {
    await run(process.execPath, [ATTW, tarball, "--profile", "esm-only", "--no-color"]);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    problems.push(`arethetypeswrong:\n${e.stdout || e.stderr || e.message}`);
  }
  return problems;
}
