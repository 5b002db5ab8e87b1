/** A document as it leaves a signer: the input plus a top-level `_signature`. */
export type Signed<T> = T & { _signature: unknown };

/**
 * Signs JSON documents (manifests, plan catalogs). Implementations wrap the signers of
 * `@mozaiks/entitlements-core`, which owns canonicalization and crypto.
 */
export interface DocumentSigner {
  readonly alg: "EdDSA" | "HS256";
  readonly kid?: string;
  sign<T extends Record<string, unknown>>(doc: T): Signed<T>;
}
