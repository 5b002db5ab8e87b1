import type { Command } from "commander";
import { EXIT, type ExitCode } from "../output/exit-codes.js";
import { createPrinter, type Printer, type Streams } from "../output/printer.js";
import { type CliEnvironment, type CliSettings, pathsFrom } from "./env.js";

/**
 * One CLI run: where it writes, the caller's directory and variables, and the exit code a
 * command records. Built by `runCli` and handed to every command, so runs share no state.
 */
export interface CliContext {
  readonly streams: Streams;
  /** The caller's directory (see `cliEnvironment`). */
  readonly cwd: string;
  /** Every variable of the run, for the processes it starts. */
  readonly vars: Readonly<Record<string, string | undefined>>;
  readonly settings: CliSettings;
  /** A path the user typed, resolved against {@link cwd}. */
  path(file: string): string;
  /** The printer for a command, honouring the global `--json` flag. */
  printer(cmd: Command): Printer;
  /** Records a non-zero exit for a command that printed its result and still failed (e.g. invalid). */
  fail(code: ExitCode): void;
  readonly exitCode: ExitCode;
}

export function createCliContext(streams: Streams, environment: CliEnvironment): CliContext {
  let exitCode: ExitCode = EXIT.ok;
  return {
    streams,
    cwd: environment.cwd,
    vars: environment.vars,
    settings: environment.settings,
    path: pathsFrom(environment.cwd),
    printer: (cmd) => createPrinter(cmd.optsWithGlobals<{ json?: boolean }>().json === true, streams),
    fail(code) {
      exitCode = code;
    },
    get exitCode() {
      return exitCode;
    },
  };
}
