import { Ed25519ManifestSigner, generateEd25519KeyPair, type Jwks, toJwks } from "@mozaiks/entitlements-core";

/** A platform signing key for tests: signer + the JWKS a runtime would trust. */
export function platformKeys(kid = "platform-test"): { signer: Ed25519ManifestSigner; jwks: Jwks } {
  const pair = generateEd25519KeyPair(kid);
  return {
    signer: new Ed25519ManifestSigner({ privateKey: pair.privateJwk, kid }),
    jwks: toJwks([pair.publicJwk]),
  };
}
