import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";
import { SigningKeyError } from "../errors.js";
import { pythonCanonicalJsonWithout } from "./canonical-python.js";
import { isPlainObject } from "./json-value.js";
import type { ManifestSigner } from "./signer.js";
import { checkExpiry, type VerifyResult } from "./verify-result.js";

const HEX64 = /^[0-9a-f]{64}$/;

// Importing the key once per distinct key string saves ~15% per HMAC; a handful of keys at most.
const keyCache = new Map<string, KeyObject>();

function secretKey(key: string | KeyObject): KeyObject {
  if (typeof key !== "string") return key;
  let ko = keyCache.get(key);
  if (ko === undefined) {
    if (keyCache.size >= 8) keyCache.clear();
    ko = createSecretKey(Buffer.from(key, "utf8"));
    keyCache.set(key, ko);
  }
  return ko;
}

/** HMAC-SHA256 of the Python canonical form of `doc` without its top-level `_signature`. */
export function hmacDigest(doc: Record<string, unknown>, key: string | KeyObject): Buffer {
  return createHmac("sha256", secretKey(key))
    .update(pythonCanonicalJsonWithout(doc, "_signature"), "utf8")
    .digest();
}

/**
 * Constant-time check of a legacy hex signature. Anything that is not exactly 64 lower-case hex
 * characters is invalid (upper case, whitespace, base64, non-strings), never an exception.
 */
export function hmacVerify(
  doc: Record<string, unknown>,
  signature: unknown,
  key: string | KeyObject,
): boolean {
  if (typeof signature !== "string" || !HEX64.test(signature)) return false;
  const expected = hmacDigest(doc, key);
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}

/**
 * Legacy HMAC-SHA256 {@link ManifestSigner}, byte-compatible with the original Python
 * `EntitlementSigner` (`_signature` = lower-case hex over the Python canonical form). Unlike
 * the original, an empty key is an error rather than silently disabling verification, and
 * re-signing a signed manifest replaces its signature instead of signing over it.
 *
 * @example
 * ```ts
 * const signer = new HmacManifestSigner({ signingKey: "a shared secret of the platform and runtimes" });
 * const signed = signer.sign({ app_id: "myapp", capabilities: ["cap.tool.basic"] });
 * signer.verifyManifest(signed); // { ok: true, alg: "HS256" }
 * ```
 */
export class HmacManifestSigner implements ManifestSigner {
  readonly alg = "HS256" as const;
  readonly #key: KeyObject;

  constructor(options: { signingKey: string }) {
    if (typeof options?.signingKey !== "string" || options.signingKey === "") {
      throw new SigningKeyError("HmacManifestSigner needs a non-empty signingKey");
    }
    this.#key = createSecretKey(Buffer.from(options.signingKey, "utf8"));
  }

  /** Lower-case hex signature of `manifest` (its top-level `_signature` is excluded). */
  signature(manifest: object): string {
    return hmacDigest(manifest as Record<string, unknown>, this.#key).toString("hex");
  }

  /** A copy of `manifest` with `_signature` set (appended last, as the original does). */
  sign<T extends object>(manifest: T): T & { _signature: string } {
    const { _signature: _old, ...rest } = manifest as Record<string, unknown>;
    return { ...rest, _signature: this.signature(rest) } as T & { _signature: string };
  }

  /** Constant-time check of `signature` against `manifest` (its own `_signature` is ignored). */
  verify(manifest: Record<string, unknown>, signature: unknown): boolean {
    if (!isPlainObject(manifest)) return false;
    return hmacVerify(manifest, signature, this.#key);
  }

  /** Verifies the manifest's own `_signature` and its expiry; says why when it fails. */
  verifyManifest(manifest: unknown, options: { now?: Date } = {}): VerifyResult {
    if (!isPlainObject(manifest))
      return { ok: false, reason: "invalid", message: "document must be a JSON object" };
    const sig = manifest._signature;
    if (sig === undefined || sig === null || sig === "") {
      return { ok: false, reason: "missing", message: "Missing signature on entitlement manifest" };
    }
    if (!hmacVerify(manifest, sig, this.#key)) {
      return { ok: false, reason: "invalid", message: "Invalid signature on entitlement manifest" };
    }
    return checkExpiry(manifest, options.now ?? new Date()) ?? { ok: true, alg: "HS256" };
  }
}
