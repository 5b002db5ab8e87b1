import {
  ERROR_STATUS,
  type ErrorCode,
  RUNTIME_CONTRACT_VERSION,
  RUNTIME_VERSION_HEADER,
} from "@mozaiks/contracts";
import { isEntitlementsError } from "@mozaiks/entitlements-core";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { RuntimeHonoEnv } from "./http/hono-env.js";

const TAG = Symbol.for("mozaiks.runtime.error");

/**
 * The one error class of the runtime: a stable {@link ErrorCode} (its HTTP status comes from
 * `ERROR_STATUS`) plus flat details merged into the JSON payload.
 *
 * @example
 * ```ts
 * throw new RuntimeError("plugin_not_found", "No plugin named 'x'", { plugin: "x" });
 * ```
 */
export class RuntimeError extends Error {
  readonly [TAG] = true;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RuntimeError";
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.details };
  }
}

/** Narrows to {@link RuntimeError} by tag, so it works across package copies. */
export function isRuntimeError(err: unknown): err is RuntimeError {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[TAG] === true;
}

/** Maps a thrown value to `{ status, body }`; unknown errors become `internal_error`. */
export function toErrorResponse(err: unknown): {
  status: number;
  body: Record<string, unknown>;
  known: boolean;
} {
  if (isRuntimeError(err)) return { status: err.status, body: err.toJSON(), known: true };
  if (isEntitlementsError(err)) {
    const body = err.toJSON() as Record<string, unknown>;
    const code = body.error as string;
    if (code in ERROR_STATUS) return { status: ERROR_STATUS[code as ErrorCode], body, known: true };
    if (code === "manifest_invalid" || code === "invalid_usage") {
      return { status: 400, body: { ...body, error: "invalid_request" }, known: true };
    }
  }
  return {
    status: 500,
    body: { error: "internal_error", message: "Internal server error" },
    known: false,
  };
}

/** The app's single `onError`: known errors become their payload, unknown ones are logged with stack. */
export function onError(err: Error, c: Context<RuntimeHonoEnv>): Response {
  const { status, body, known } = toErrorResponse(err);
  const requestId = c.get("requestId");
  const log = c.get("log");
  if (!known) log?.error({ err }, "unhandled error");
  else log?.debug({ code: body.error }, "request failed");
  c.header(RUNTIME_VERSION_HEADER, RUNTIME_CONTRACT_VERSION);
  return c.json({ ...body, request_id: requestId }, status as ContentfulStatusCode);
}
