import type { ExitCode } from "./output/exit-codes.js";
import { reportError } from "./output/handle-error.js";
import { processStreams, type Streams } from "./output/printer.js";
import { createProgram } from "./program.js";
import { setStreams, takeExitCode } from "./shared/globals.js";

/**
 * Runs the CLI on `argv` (user arguments, without `node` and the script) and returns the exit
 * code instead of exiting, so it can run in-process.
 */
export async function runCli(argv: string[], streams: Streams = processStreams): Promise<ExitCode> {
  setStreams(streams);
  const program = createProgram(streams);
  takeExitCode();
  try {
    await program.parseAsync(argv, { from: "user" });
    return takeExitCode();
  } catch (err) {
    return reportError(err, argv.includes("--json"), streams);
  }
}
