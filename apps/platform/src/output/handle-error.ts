import { formatConfigIssue, isPlatformError } from "@mozaiks/platform-resolver";
import { CommanderError } from "commander";
import type { CliContext } from "../shared/context.js";
import { type CliError, isCliError } from "./cli-error.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

/** Maps any thrown value to a CLI error with the right exit code; `debug` keeps a bug's stack. */
export function toCliFailure(
  err: unknown,
  debug = false,
): Pick<CliError, "code" | "message" | "exitCode" | "issues"> {
  if (isCliError(err)) return err;
  if (isPlatformError(err)) {
    const issues = "issues" in err && Array.isArray(err.issues) ? err.issues : [];
    const exitCode: ExitCode =
      err.code === "config_unreadable" || err.code === "bundle_write_failed"
        ? EXIT.io
        : err.code === "unknown_plan" || err.code === "signing_failed"
          ? EXIT.usage
          : EXIT.failed;
    return { code: err.code, message: err.message, exitCode, issues };
  }
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === "string" && /^E[A-Z]+$/.test(errno)) {
    return { code: "io", message: (err as Error).message, exitCode: EXIT.io, issues: [] };
  }
  // A bug, not a user error: the stack only helps when asked for.
  const detail = err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message) : String(err);
  return {
    code: "internal_error",
    message: `unexpected error: ${detail}`,
    exitCode: EXIT.failed,
    issues: [],
  };
}

/**
 * Prints a failure (human: `error: …` and one line per issue on stderr; `--json`: a JSON
 * document on stdout) and returns the exit code. Commander's own usage errors are already
 * printed by commander, so only their code is mapped (2).
 */
export function reportError(
  err: unknown,
  json: boolean,
  ctx: Pick<CliContext, "streams" | "settings">,
): ExitCode {
  const { streams } = ctx;
  if (err instanceof CommanderError) {
    if (
      err.code === "commander.helpDisplayed" ||
      err.code === "commander.version" ||
      err.code === "commander.help"
    ) {
      return EXIT.ok;
    }
    // Commander already told people on stderr; machines still get one JSON document.
    if (json)
      streams.stdout(
        `${JSON.stringify({ ok: false, error: "usage", message: err.message, issues: [] }, null, 2)}\n`,
      );
    return EXIT.usage;
  }
  const failure = toCliFailure(err, ctx.settings.debug);
  if (json) {
    const issues = failure.issues.map(({ file, path, message, code, severity }) => ({
      file,
      path,
      message,
      code,
      severity,
    }));
    streams.stdout(
      `${JSON.stringify({ ok: false, error: failure.code, message: failure.message, issues }, null, 2)}\n`,
    );
  } else {
    streams.stderr(`error: ${failure.message}\n`);
    const errors = failure.issues.filter((i) => i.severity === "error");
    if (errors.length > 1) for (const issue of errors) streams.stderr(`  ${formatConfigIssue(issue)}\n`);
  }
  return failure.exitCode;
}
