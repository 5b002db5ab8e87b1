import { isEntitlementsError } from "../errors.js";
import { ed25519Verify } from "./ed25519.js";
import { hmacVerify } from "./hmac.js";
import { isPlainObject } from "./json-value.js";
import { type Jwks, type KeyRing, keyRingFor } from "./keys.js";
import { checkExpiry, type VerifyResult } from "./verify-result.js";

/** Verification keys and policy, shared by `verifyManifest` and the loader. */
export interface VerifyOptions {
  /** Trusted Ed25519 public keys (from the runtime's own configuration, never from the data). */
  jwks?: Jwks | undefined;
  /** Legacy HMAC key (`MOZAIKS_ENTITLEMENT_SIGNING_KEY`). */
  hmacKey?: string | undefined;
  /** Clock for expiry checks (inject a fixed date in tests). */
  now?: Date | undefined;
  /** Require a valid signature even when no key is configured (then everything fails). */
  requireSignature?: boolean | undefined;
}

/** True when `options` configures at least one verification key. */
export function hasVerificationKeys(options: VerifyOptions): boolean {
  const jwks: unknown = options.jwks;
  if (jwks !== undefined && jwks !== null) {
    const keys = (jwks as { keys?: unknown }).keys;
    // A malformed JWKS counts as configured, so verification fails closed instead of open.
    if (!Array.isArray(keys) || keys.length > 0) return true;
  }
  return options.hmacKey !== undefined && options.hmacKey !== "";
}

function fail(reason: "missing" | "invalid" | "expired" | "unknown_kid", message: string): VerifyResult {
  return { ok: false, reason, message };
}

function verifySignature(
  doc: Record<string, unknown>,
  options: VerifyOptions,
  ring: KeyRing | undefined,
): VerifyResult {
  const sig = doc._signature;
  if (sig === undefined || sig === null || sig === "") return fail("missing", "document has no _signature");
  if (typeof sig === "string") {
    const key = options.hmacKey;
    if (key === undefined || key === "") {
      return fail("invalid", "document carries an HMAC signature but no HMAC key is configured");
    }
    return hmacVerify(doc, sig, key)
      ? { ok: true, alg: "HS256" }
      : fail("invalid", "HMAC signature does not match");
  }
  if (
    !isPlainObject(sig) ||
    sig.alg !== "EdDSA" ||
    typeof sig.kid !== "string" ||
    typeof sig.value !== "string"
  ) {
    return fail("invalid", "_signature must be a hex string or {alg:'EdDSA', kid, value}");
  }
  const key = ring?.get(sig.kid);
  // Only an HMAC key configured: no Ed25519 key is trusted, so this kid is unknown (fail closed).
  if (key === undefined) return fail("unknown_kid", `no trusted Ed25519 key with kid '${sig.kid}'`);
  return ed25519Verify(doc, sig.value, key)
    ? { ok: true, alg: "EdDSA", kid: sig.kid }
    : fail("invalid", `Ed25519 signature (kid '${sig.kid}') does not match`);
}

/**
 * Verifies a signed JSON document (manifest, plan catalog, sync payload) and says precisely
 * why it failed: `missing`, `invalid`, `expired` or `unknown_kid`. Ed25519 signatures are
 * checked against `jwks` by `kid` (rotation: list old and new keys), hex signatures against
 * `hmacKey`; `expires_at` must be in the future. With no key configured and
 * `requireSignature` unset, any document passes with `alg: "none"` (dev/OSS mode), except an
 * expired one. Never throws.
 *
 * @example
 * ```ts
 * const r = verifyManifest(doc, { jwks, now: new Date() });
 * if (!r.ok) throw new ManifestSignatureError(r.reason, r.message);
 * ```
 */
export function verifyManifest(doc: unknown, options: VerifyOptions = {}): VerifyResult {
  if (!isPlainObject(doc)) return fail("invalid", "document must be a JSON object");
  const now = options.now ?? new Date();
  try {
    if (!hasVerificationKeys(options)) {
      if (options.requireSignature === true) {
        const unsigned = doc._signature === undefined || doc._signature === null || doc._signature === "";
        return unsigned
          ? fail("missing", "document has no _signature")
          : fail("unknown_kid", "a signature is required but no verification key is configured");
      }
      return checkExpiry(doc, now) ?? { ok: true, alg: "none" };
    }
    const jwks = options.jwks;
    if (jwks != null && !Array.isArray(jwks.keys))
      return fail("invalid", "configured JWKS has no keys array");
    const ring = jwks == null ? undefined : keyRingFor(jwks);
    const result = verifySignature(doc, options, ring);
    if (!result.ok) return result;
    return checkExpiry(doc, now) ?? result;
  } catch (err) {
    // Canonicalization of a hostile document (cycle, NaN, lone surrogate) or a bad JWKS.
    return fail("invalid", isEntitlementsError(err) ? err.message : "document could not be verified");
  }
}
