/**
 * A document as it leaves a signer: the input plus a top-level `_signature`. Signers are
 * `@mozaiks/entitlements-core`'s `ManifestSigner`s (`Ed25519ManifestSigner`, the legacy
 * `HmacManifestSigner`), which own canonicalization, keys and crypto.
 */
export type Signed<T> = T & { _signature: unknown };
