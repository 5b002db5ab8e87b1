import type { ExitCode } from "./output/exit-codes.js";
import { reportError } from "./output/handle-error.js";
import { processStreams, type Streams } from "./output/printer.js";
import { createProgram } from "./program.js";
import { createCliContext } from "./shared/context.js";
import { type CliEnvironment, cliEnvironment } from "./shared/env.js";

/** Where a run writes, and optionally its directory and variables (default: the process's). */
export interface RunOptions extends Partial<Streams> {
  /** The caller's directory: relative paths start here. */
  cwd?: string;
  /** The run's variables instead of `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * Runs the CLI on `argv` (user arguments, without `node` and the script) and returns the exit
 * code instead of exiting, so it can run in-process; each run has its own context.
 *
 * @example
 * ```ts
 * let out = "";
 * const code = await runCli(["plans", "validate", "-c", "config"], { stdout: (t) => { out += t; } });
 * ```
 */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<ExitCode> {
  const streams: Streams = {
    stdout: options.stdout ?? processStreams.stdout,
    stderr: options.stderr ?? processStreams.stderr,
  };
  const environment: CliEnvironment = cliEnvironment(options.env, options.cwd);
  const ctx = createCliContext(streams, environment);
  const program = createProgram(ctx);
  try {
    await program.parseAsync(argv, { from: "user" });
    return ctx.exitCode;
  } catch (err) {
    return reportError(err, argv.includes("--json"), ctx);
  }
}
