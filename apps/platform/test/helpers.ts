import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
export const EXAMPLES = fileURLToPath(new URL("../../../examples/platform", import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `mozaiks` binary as a subprocess. Asynchronous on purpose: tests serve a
 * loopback runtime from this process, which a blocking spawn would starve.
 */
export function mozaiks(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run "pnpm --filter @mozaiks/platform build" first`);
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const key of Object.keys(env))
    if (key.startsWith("MOZAIKS_") && !(key in (options.env ?? {}))) delete env[key];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd, env, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "mozaiks-cli-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
