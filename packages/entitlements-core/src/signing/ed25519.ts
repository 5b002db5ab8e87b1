import { type JsonWebKey, type KeyObject, sign, verify } from "node:crypto";
import type { Ed25519Signature } from "@mozaiks/contracts";
import { SigningKeyError } from "../errors.js";
import { canonicalizeWithout } from "./canonical-jcs.js";
import { toEd25519PrivateKey } from "./keys.js";
import type { ManifestSigner } from "./signer.js";

/**
 * The Ed25519 {@link ManifestSigner}: signs any JSON document (entitlement manifest, plan catalog, …) over its
 * RFC 8785 canonical bytes without `_signature`, and sets
 * `_signature: { alg: "EdDSA", kid, value }` (docs/reference/signed-documents.md). Runtimes
 * verify with the public JWKS.
 *
 * @example
 * ```ts
 * const keys = generateEd25519KeyPair("2026-01");
 * const signer = new Ed25519ManifestSigner({ privateKey: keys.privateJwk, kid: keys.kid });
 * const signed = signer.sign({ app_id: "myapp", capabilities: ["cap.workflow.basic"] });
 * ```
 */
export class Ed25519ManifestSigner implements ManifestSigner {
  readonly alg = "EdDSA" as const;
  readonly kid: string;
  readonly #key: KeyObject;

  constructor(options: { privateKey: JsonWebKey | KeyObject; kid: string }) {
    if (typeof options?.kid !== "string" || options.kid === "")
      throw new SigningKeyError("Ed25519ManifestSigner needs a kid");
    this.#key = toEd25519PrivateKey(options.privateKey);
    this.kid = options.kid;
  }

  /** Signature object for `doc` (its top-level `_signature` is excluded). */
  signature(doc: object): Ed25519Signature {
    const bytes = Buffer.from(canonicalizeWithout(doc as Record<string, unknown>, "_signature"), "utf8");
    return { alg: "EdDSA", kid: this.kid, value: sign(null, bytes, this.#key).toString("base64url") };
  }

  /** A copy of `doc` with `_signature` replaced by a fresh Ed25519 signature. */
  sign<T extends object>(doc: T): T & { _signature: Ed25519Signature } {
    const { _signature: _old, ...rest } = doc as Record<string, unknown>;
    return { ...rest, _signature: this.signature(rest) } as T & { _signature: Ed25519Signature };
  }
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Verifies an Ed25519 signature value (base64url) over the document's JCS bytes. */
export function ed25519Verify(doc: Record<string, unknown>, value: string, key: KeyObject): boolean {
  if (!B64URL.test(value)) return false;
  const sig = Buffer.from(value, "base64url");
  if (sig.length !== 64) return false;
  return verify(null, Buffer.from(canonicalizeWithout(doc, "_signature"), "utf8"), key, sig);
}
