import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const EXAMPLE_APP = fileURLToPath(new URL("../../../examples/app", import.meta.url));
export const INTERNAL_KEY = "crash-test-internal-key-0123456789";

/** A runtime child process started from source (tsx) on a random loopback port. */
export interface Child {
  proc: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();

/** SIGKILLs every child still running (call from afterEach so a failed test leaves nothing behind). */
export function killChildren(): void {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  live.clear();
}

/**
 * Spawns `src/main.ts`; resolves once it logs "listening" (or rejects when it exits first).
 * `startEnv` runs it as the repository's `pnpm start` does: from the repository root with
 * `--env-file=examples/start.env`.
 */
export function spawnRuntime(
  env: Record<string, string>,
  opts: { waitListening?: boolean; startEnv?: boolean } = {},
): Promise<Child> {
  // tsx resolved here, since the start-script run is not in this package's directory.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const args = ["--conditions=@mozaiks/source", "--import", tsx, join(APP_DIR, "src", "main.ts")];
  if (opts.startEnv) args.unshift("--env-file=examples/start.env");
  const proc = spawn(process.execPath, args, {
    cwd: opts.startEnv ? REPO_ROOT : APP_DIR,
    env: { PATH: process.env.PATH ?? "", MOZAIKS_HOST: "127.0.0.1", MOZAIKS_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(proc);
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    const child: Omit<Child, "url"> = { proc, stdout: () => out, stderr: () => err, exited };
    proc.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/[^"]+)","port":\d+,"app_id"/.exec(out);
      if (m?.[1] && opts.waitListening !== false) resolve({ ...child, url: m[1] });
    });
    void exited.then((code) => {
      if (opts.waitListening === false) resolve({ ...child, url: "" });
      else reject(new Error(`runtime exited (${code}) before listening:\n${err}\n${out}`));
    });
  });
}
