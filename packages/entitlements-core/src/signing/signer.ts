/**
 * What every manifest signer offers (Ed25519 and legacy HMAC alike): sign a JSON document —
 * an entitlement manifest, a plan catalog — into a copy with a fresh top-level `_signature`.
 *
 * @example
 * ```ts
 * const signer: ManifestSigner = new Ed25519ManifestSigner({ privateKey, kid: "k1" });
 * const signed = signer.sign({ app_id: "myapp", capabilities: ["cap.tool.basic"] });
 * ```
 */
export interface ManifestSigner {
  readonly alg: "EdDSA" | "HS256";
  /** The key id runtimes look the public key up by (Ed25519 only). */
  readonly kid?: string;
  /** A copy of `doc` with `_signature` replaced by a fresh signature. */
  sign<T extends object>(doc: T): T & { _signature: unknown };
}
