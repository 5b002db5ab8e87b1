import type { JsonWebKey } from "node:crypto";
import { Ed25519ManifestSigner, EntitlementSigner } from "@mozaiks/entitlements-core";
import { PlatformError } from "./errors.js";
import type { DocumentSigner, Signed } from "./signing.js";

/**
 * Ed25519 signer (recommended, docs/reference/signed-documents.md) from a private JWK. The
 * `kid` defaults to the JWK's own `kid`; runtimes find the matching public key in their JWKS by it.
 *
 * @example
 * ```ts
 * const signer = ed25519Signer(JSON.parse(readFileSync("k1.private.jwk.json", "utf8")));
 * ```
 */
export function ed25519Signer(privateJwk: JsonWebKey, kid?: string): DocumentSigner {
  const id = kid ?? (typeof privateJwk.kid === "string" ? privateJwk.kid : undefined);
  if (!id) throw new PlatformError("signing_failed", "the private key has no kid; pass one explicitly");
  if (typeof privateJwk.d !== "string") {
    throw new PlatformError("signing_failed", "the key is not a private key (no 'd' member)");
  }
  let signer: Ed25519ManifestSigner;
  try {
    signer = new Ed25519ManifestSigner({ privateKey: privateJwk, kid: id });
  } catch (err) {
    throw new PlatformError("signing_failed", (err as Error).message, { cause: err });
  }
  return {
    alg: "EdDSA",
    kid: id,
    sign: <T extends Record<string, unknown>>(doc: T) => signer.sign(doc) as Signed<T>,
  };
}

/** Legacy HMAC-SHA256 signer (`MOZAIKS_ENTITLEMENT_SIGNING_KEY`), kept for compatibility. */
export function hmacSigner(signingKey: string): DocumentSigner {
  let signer: EntitlementSigner;
  try {
    signer = new EntitlementSigner({ signingKey });
  } catch (err) {
    throw new PlatformError("signing_failed", (err as Error).message, { cause: err });
  }
  return {
    alg: "HS256",
    sign: <T extends Record<string, unknown>>(doc: T) => signer.signManifest(doc) as Signed<T>,
  };
}
