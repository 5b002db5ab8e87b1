/**
 * `@mozaiks/entitlements-core`: the capability engine shared by the platform and the runtime:
 * evaluate, enforce, load, normalize, sign, verify and audit entitlement manifests, and decide
 * which manifest is in force.
 *
 * @example
 * ```ts
 * import { CapabilityEnforcer, defaultManifest, loadEntitlements } from "@mozaiks/entitlements-core";
 * const { inForce } = await loadEntitlements({ appId: "myapp", appPath: "./app", jwks });
 * new CapabilityEnforcer(inForce?.manifest ?? defaultManifest("myapp")).requireWorkflow("analytics");
 * ```
 */
export * from "./defaults.js";
export * from "./enforcer.js";
export * from "./errors.js";
export * from "./evaluator.js";
export * from "./freshness.js";
export * from "./ids.js";
export * from "./loader.js";
export * from "./logger.js";
export * from "./normalize.js";
export * from "./read-signed.js";
export * from "./security/anomaly.js";
export * from "./security/audit.js";
export * from "./security/tenant.js";
export { canonicalize, canonicalizeWithout } from "./signing/canonical-jcs.js";
export {
  PythonFloat,
  pythonCanonicalJson,
  pythonCanonicalJsonWithout,
  pythonFloatRepr,
} from "./signing/canonical-python.js";
export { Ed25519ManifestSigner } from "./signing/ed25519.js";
export { HmacManifestSigner } from "./signing/hmac.js";
export { stringifyJson } from "./signing/json-text.js";
export {
  type Ed25519KeyPair,
  generateEd25519KeyPair,
  type Jwks,
  jwkThumbprint,
  KeyRing,
  parseJwks,
  toJwks,
} from "./signing/keys.js";
export { parseJsonLossless, toPlainJson } from "./signing/lossless-json.js";
export type { ManifestSigner } from "./signing/signer.js";
export { hasVerificationKeys, type VerifyOptions, verifyManifest } from "./signing/verify.js";
export { checkExpiry, type VerifyResult } from "./signing/verify-result.js";
