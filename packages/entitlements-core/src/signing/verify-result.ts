import type { SignatureFailureReason } from "../errors.js";

/** Outcome of verifying a signed document; on failure `reason` says precisely why. */
export type VerifyResult =
  | { ok: true; alg: "EdDSA" | "HS256" | "none"; kid?: string }
  | { ok: false; reason: SignatureFailureReason; message: string };

/** Failure result when `expires_at` is malformed or not after `now`; undefined when still valid. */
export function checkExpiry(
  doc: Record<string, unknown>,
  now: Date,
): Extract<VerifyResult, { ok: false }> | undefined {
  const exp = doc.expires_at;
  if (exp === undefined || exp === null) return undefined;
  const t = typeof exp === "string" ? Date.parse(exp) : Number.NaN;
  if (Number.isNaN(t))
    return { ok: false, reason: "invalid", message: "expires_at is not an ISO-8601 timestamp" };
  if (t <= now.getTime()) return { ok: false, reason: "expired", message: `document expired at ${exp}` };
  return undefined;
}
