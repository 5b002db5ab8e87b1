/** Stable reasons a model call fails with; they end the run as `run_failed` with this `reason`. */
export type ModelErrorReason =
  | "model_provider_not_configured"
  | "model_timeout"
  | "model_rate_limited"
  | "model_unavailable"
  | "model_request_rejected"
  | "model_bad_response"
  | "cancelled";

const TAG = Symbol.for("mozaiks.engine.model-error");

/** A failed model call; the message never holds an API key (see {@link redact}). */
export class ModelError extends Error {
  readonly code = "model_error" as const;
  readonly [TAG] = true;
  /** HTTP status of the provider's last answer, when there was one. */
  readonly status: number | undefined;
  constructor(
    readonly reason: ModelErrorReason,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.name = "ModelError";
    this.status = options?.status;
  }
}

/** Narrows to {@link ModelError} by tag. */
export function isModelError(err: unknown): err is ModelError {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[TAG] === true;
}

/** Replaces every secret (an API key) in `text` with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join("[redacted]");
  return out;
}
