import type { Command } from "commander";
import { EXIT, type ExitCode } from "../output/exit-codes.js";
import { createPrinter, type Printer, processStreams, type Streams } from "../output/printer.js";

let streams: Streams = processStreams;

/** Redirects output (used when the CLI runs in-process). */
export function setStreams(next: Streams): void {
  streams = next;
}

/** The printer for a command, honouring the global `--json` flag. */
export function printerFor(cmd: Command): Printer {
  return createPrinter(cmd.optsWithGlobals<{ json?: boolean }>().json === true, streams);
}

let exitCode: ExitCode = EXIT.ok;

/** Records a non-zero exit for a command that printed its result and still failed (e.g. invalid). */
export function setExitCode(code: ExitCode): void {
  exitCode = code;
}

/** Returns and resets the recorded exit code. */
export function takeExitCode(): ExitCode {
  const code = exitCode;
  exitCode = EXIT.ok;
  return code;
}
