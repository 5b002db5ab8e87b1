import type { ConfigIssue } from "@mozaiks/platform-resolver";
import { EXIT, type ExitCode } from "./exit-codes.js";

const TAG = Symbol.for("mozaiks.cli.error");

/** A user-facing failure: printed as one line (plus issues), never with a stack trace. */
export class CliError extends Error {
  readonly [TAG] = true;
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly issues: ConfigIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CliError";
  }
}

/** Bad flags or arguments (exit 2). */
export function usageError(message: string): CliError {
  return new CliError("usage", message, EXIT.usage);
}

/** A file or network operation failed (exit 3). */
export function ioError(message: string, cause?: unknown): CliError {
  return new CliError("io", message, EXIT.io, [], { cause });
}

export function isCliError(err: unknown): err is CliError {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[TAG] === true;
}
