import type { ErrorCode, ErrorPayload } from "@mozaiks/contracts";

/**
 * Any failed call: the runtime's stable `code` (or a client-side one: `timeout`,
 * `network_error`, `invalid_response`, `not_configured`), the HTTP status (0 when no answer
 * arrived), the request id (the one the client sent as `X-Request-Id`, which the runtime
 * echoes) and the flat error body.
 */
export class MozaiksError extends Error {
  override readonly name: string = "MozaiksError";
  constructor(
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    readonly status: number,
    readonly requestId: string,
    readonly body: Partial<ErrorPayload> & Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(`${message} (${code}, request ${requestId})`, options);
  }
}

/** Codes the client itself reports when no error answer came from the runtime. */
export type ClientErrorCode = "timeout" | "network_error" | "invalid_response" | "not_configured";

/** 400 `invalid_request`, with the validation issues. */
export class InvalidRequestError extends MozaiksError {
  override readonly name: string = "InvalidRequestError";
  get issues(): Array<{ path: Array<string | number>; message: string; code: string }> {
    return (this.body.issues as never) ?? [];
  }
}
/** 401: no, a malformed, an invalid or an expired token, or a missing or wrong internal key. */
export class AuthenticationError extends MozaiksError {
  override readonly name: string = "AuthenticationError";
}
/** 403 other than `capability_denied`: scope, tenant, signature, a token naming another user. */
export class ForbiddenError extends MozaiksError {
  override readonly name: string = "ForbiddenError";
}
/** 403 `capability_denied`: the capability required and the caller's capabilities. */
export class CapabilityDeniedError extends ForbiddenError {
  override readonly name: string = "CapabilityDeniedError";
  get capabilityId(): string {
    return String(this.body.capability_id ?? "");
  }
}
/** 404 `*_not_found`. */
export class NotFoundError extends MozaiksError {
  override readonly name: string = "NotFoundError";
}
/** 409: a conflict with state the runtime holds (`manifest_stale`, `idempotency_conflict`, …). */
export class ConflictError extends MozaiksError {
  override readonly name: string = "ConflictError";
}
/** 413 / 431: the request is too large. */
export class PayloadTooLargeError extends MozaiksError {
  override readonly name: string = "PayloadTooLargeError";
}
/** 422 `plan_catalog_missing`. */
export class UnprocessableError extends MozaiksError {
  override readonly name: string = "UnprocessableError";
}
/** 429 `limit_exceeded`: the limit, its value and the usage. */
export class LimitExceededError extends MozaiksError {
  override readonly name: string = "LimitExceededError";
  get limitId(): string {
    return String(this.body.limit_id ?? "");
  }
  get limitValue(): number {
    return Number(this.body.limit_value ?? -1);
  }
  get currentUsage(): number {
    return Number(this.body.current_usage ?? 0);
  }
}
/** 503: `not_ready`, `plugin_busy`, `shutting_down` — try again later (see `retryAfterMs`). */
export class UnavailableError extends MozaiksError {
  override readonly name: string = "UnavailableError";
  retryAfterMs: number | undefined;
}
/** 408 / 504, or the client's own timeout (`timeout`). */
export class TimeoutError extends MozaiksError {
  override readonly name: string = "TimeoutError";
}
/** 500: the runtime or a plugin failed. */
export class ServerError extends MozaiksError {
  override readonly name: string = "ServerError";
}
/** No answer (`network_error`), an answer that is not the runtime's JSON (`invalid_response`), or a missing option. */
export class ClientError extends MozaiksError {
  override readonly name: string = "ClientError";
}

type ErrorClass = new (...args: ConstructorParameters<typeof MozaiksError>) => MozaiksError;

/**
 * The class of each stable error code. Keyed by every code the contracts know, so a new code
 * does not compile here until it is given a class.
 */
export const ERROR_CLASSES: Record<ErrorCode, ErrorClass> & Record<string, ErrorClass> = {
  invalid_request: InvalidRequestError,
  unauthorized: AuthenticationError,
  invalid_token: AuthenticationError,
  token_expired: AuthenticationError,
  capability_denied: CapabilityDeniedError,
  insufficient_scope: ForbiddenError,
  tenant_isolation: ForbiddenError,
  manifest_signature_invalid: ForbiddenError,
  user_mismatch: ForbiddenError,
  not_found: NotFoundError,
  plugin_not_found: NotFoundError,
  workflow_not_found: NotFoundError,
  run_not_found: NotFoundError,
  module_not_found: NotFoundError,
  action_not_found: NotFoundError,
  artifact_not_found: NotFoundError,
  webhook_not_found: NotFoundError,
  request_timeout: TimeoutError,
  limit_not_releasable: ConflictError,
  manifest_stale: ConflictError,
  conflict: ConflictError,
  idempotency_conflict: ConflictError,
  payload_too_large: PayloadTooLargeError,
  plan_catalog_missing: UnprocessableError,
  limit_exceeded: LimitExceededError,
  headers_too_large: PayloadTooLargeError,
  plugin_error: ServerError,
  module_error: ServerError,
  internal_error: ServerError,
  plugin_timeout: TimeoutError,
  not_ready: UnavailableError,
  plugin_busy: UnavailableError,
  shutting_down: UnavailableError,
};

/** The typed error for an error answer (an unknown code falls back on its status). */
export function errorFromAnswer(
  status: number,
  body: Record<string, unknown>,
  requestId: string,
): MozaiksError {
  const code = String(body.error ?? "");
  const message = typeof body.message === "string" ? body.message : `HTTP ${status}`;
  const Known = Object.hasOwn(ERROR_CLASSES, code) ? ERROR_CLASSES[code] : undefined;
  const Cls: ErrorClass =
    Known ??
    (status === 400
      ? InvalidRequestError
      : status === 401
        ? AuthenticationError
        : status === 403
          ? ForbiddenError
          : status === 404
            ? NotFoundError
            : status === 409
              ? ConflictError
              : status === 429
                ? LimitExceededError
                : status === 503
                  ? UnavailableError
                  : ServerError);
  return new Cls((code || "internal_error") as ErrorCode, message, status, requestId, body);
}
