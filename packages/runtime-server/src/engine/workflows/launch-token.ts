import { type ExecutionContext, ExecutionContextSchema, summarizeIssues } from "@mozaiks/contracts";
import { errors, type generateKeyPair, jwtVerify } from "jose";

/** `iss` of every launch token (the control layer). */
export const LAUNCH_TOKEN_ISSUER = "mozaiks-runtime";
/** `aud` of every launch token (the engine). */
export const LAUNCH_TOKEN_AUDIENCE = "mozaiks-engine";

/** Key the engine verifies launch tokens with: a public key only, never the signing key. */
export type LaunchVerifyKey = Awaited<ReturnType<typeof generateKeyPair>>["publicKey"];

const TAG = Symbol.for("mozaiks.engine.launch-token-error");

/** A launch token that is not authentic, not current or not shaped like an ExecutionContext. */
export class LaunchTokenError extends Error {
  readonly code = "launch_token_invalid" as const;
  readonly [TAG] = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LaunchTokenError";
  }
}

/** Narrows to {@link LaunchTokenError} by tag. */
export function isLaunchTokenError(err: unknown): err is LaunchTokenError {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[TAG] === true;
}

/**
 * Verifies a launch token: EdDSA signature with the control layer's public key, `iss`, `aud`,
 * `exp` at `now`, and the claims' shape (ExecutionContext). Shape and signature only: nothing
 * in the scope is recomputed or second-guessed (the engine never authorizes).
 *
 * @example
 * ```ts
 * const claims = await verifyLaunchToken(token, launchPublicKey, new Date());
 * claims.scope.tools; // ["cap.tool.word_count"]
 * ```
 */
export async function verifyLaunchToken(
  token: string,
  key: LaunchVerifyKey,
  now: Date,
): Promise<ExecutionContext> {
  let payload: unknown;
  try {
    const verified = await jwtVerify(token, key, {
      algorithms: ["EdDSA"],
      issuer: LAUNCH_TOKEN_ISSUER,
      audience: LAUNCH_TOKEN_AUDIENCE,
      currentDate: now,
      requiredClaims: ["exp", "iat", "jti", "sub"],
    });
    payload = verified.payload;
  } catch (err) {
    const why = err instanceof errors.JWTExpired ? "expired" : (err as Error).message;
    throw new LaunchTokenError(`launch token rejected: ${why}`, { cause: err });
  }
  const parsed = ExecutionContextSchema.safeParse(payload);
  if (!parsed.success) {
    throw new LaunchTokenError(`launch token claims are malformed: ${summarizeIssues(parsed.error)}`);
  }
  return parsed.data;
}
