import type { ConfigIssue } from "./issues.js";

const TAG = Symbol.for("mozaiks.platform-resolver.error");

/** Stable codes of every error this package throws. */
export type PlatformErrorCode =
  | "config_invalid"
  | "config_unreadable"
  | "subscription_invalid"
  | "unknown_plan"
  | "signing_failed"
  | "bundle_write_failed";

/**
 * Base error: carries a literal `code` and keeps `cause`. Use {@link isPlatformError} rather than
 * `instanceof` so the guard survives two loaded copies of the package.
 */
export class PlatformError extends Error {
  readonly [TAG] = true;
  constructor(
    readonly code: PlatformErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PlatformError";
  }
}

/**
 * A configuration file (`capabilities.json`, `plan_capabilities.json`, a subscription) failed
 * validation. `issues` lists every problem found, each with its file and JSON path.
 */
export class ConfigInvalidError extends PlatformError {
  constructor(
    readonly issues: ConfigIssue[],
    options?: { cause?: unknown; code?: "config_invalid" | "subscription_invalid" },
  ) {
    const errors = issues.filter((i) => i.severity === "error");
    const first = errors[0];
    const where = first ? `${first.file}: ${first.path}: ${first.message}` : "no details";
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
    super(options?.code ?? "config_invalid", `${where}${more}`, options);
    this.name = "ConfigInvalidError";
  }
}

/** A file could not be read or is not JSON. `file` names it. */
export class ConfigUnreadableError extends PlatformError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("config_unreadable", `${file}: ${message}`, options);
    this.name = "ConfigUnreadableError";
  }
}

/** A subscription names a plan the mapping does not define. */
export class UnknownPlanError extends PlatformError {
  constructor(
    readonly plan: string,
    readonly known: string[],
  ) {
    super("unknown_plan", `unknown plan "${plan}" (known plans: ${known.join(", ")})`);
    this.name = "UnknownPlanError";
  }
}

/** True for any error thrown by this package, even from another copy of it. */
export function isPlatformError(err: unknown): err is PlatformError {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[TAG] === true;
}
