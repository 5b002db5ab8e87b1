import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../src/run.js";

export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
export const REPO = fileURLToPath(new URL("../../..", import.meta.url));
export const EXAMPLES = fileURLToPath(new URL("../../../examples/platform", import.meta.url));
/** What the repository's `pnpm mozaiks` script sets: its packs/ as the catalog. */
export const REPO_CATALOG_ENV = { MOZAIKS_PACK_CATALOG: join(REPO, "packs") };

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
}

/** The test process's variables without MOZAIKS_* ones, plus `extra`: what a run sees. */
function runEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, ...extra };
  for (const key of Object.keys(env)) if (key.startsWith("MOZAIKS_") && !(key in extra)) delete env[key];
  return env;
}

/** Runs the `mozaiks` CLI in this process (`runCli`), with its own directory, variables and output. */
export async function mozaiks(args: string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    cwd: options.cwd ?? process.cwd(),
    env: runEnv(options.env),
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

/**
 * Runs the built `mozaiks` binary as a subprocess, for what only a real process shows (exit
 * status, argv handling). Asynchronous on purpose: tests serve a loopback runtime from this
 * process, which a blocking spawn would starve.
 */
export function mozaiksProcess(args: string[], options: CliOptions = {}): Promise<CliRun> {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run "pnpm --filter @mozaiks/platform build" first`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd, env: runEnv(options.env), timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
