import { readFileSync } from "node:fs";
import { hasVerificationKeys, type Jwks, KeyRing, parseJwks } from "@mozaiks/entitlements-core";
import { ConfigError, type RuntimeConfig } from "../../config.js";

/** Keys that verify manifests and plan catalogs; only ever from the runtime's own configuration. */
export interface EntitlementKeys {
  jwks?: Jwks | undefined;
  hmacKey?: string | undefined;
}

/** True when any manifest verification key is configured (then signatures are mandatory). */
export function requiresSignatures(keys: EntitlementKeys): boolean {
  return hasVerificationKeys(keys);
}

/** Reads `MOZAIKS_ENTITLEMENT_PUBLIC_KEYS` (a JWKS file) and `MOZAIKS_ENTITLEMENT_SIGNING_KEY`. */
export function entitlementKeysFromConfig(
  config: Pick<RuntimeConfig["entitlementKeys"], "publicKeysPath" | "hmacKey">,
): EntitlementKeys {
  let jwks: Jwks | undefined;
  if (config.publicKeysPath) {
    try {
      jwks = parseJwks(JSON.parse(readFileSync(config.publicKeysPath, "utf8")));
    } catch (err) {
      throw new ConfigError([
        `MOZAIKS_ENTITLEMENT_PUBLIC_KEYS: cannot read JWKS ${config.publicKeysPath} (${(err as Error).message}); point it at the platform's public keys file`,
      ]);
    }
  }
  return { jwks, hmacKey: config.hmacKey };
}

const OPT_OUT = "set MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS=true to accept unsigned manifests";

/**
 * The start-up rule for manifest verification keys; returns a warning to log, if any. A JWKS
 * entry that is a malformed Ed25519 key is always an error. Without a usable key (none
 * configured, or a JWKS holding no Ed25519 key) production refuses to start unless
 * `MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS=true`; development only warns.
 */
export function checkEntitlementKeys(
  keys: EntitlementKeys,
  config: Pick<RuntimeConfig, "env"> & { entitlementKeys: RuntimeConfig["entitlementKeys"] },
): string | undefined {
  const path = config.entitlementKeys.publicKeysPath;
  let ed25519 = 0;
  try {
    ed25519 = keys.jwks ? new KeyRing(keys.jwks).size : 0;
  } catch (err) {
    throw new ConfigError([
      `MOZAIKS_ENTITLEMENT_PUBLIC_KEYS: ${path}: ${(err as Error).message}; fix or remove that key`,
    ]);
  }
  if (ed25519 > 0 || keys.hmacKey) return undefined;
  const production = config.env === "production" && !config.entitlementKeys.allowUnsigned;
  if (path) {
    const problem = `MOZAIKS_ENTITLEMENT_PUBLIC_KEYS: ${path} holds no usable Ed25519 key (kty OKP, crv Ed25519, with a kid)`;
    if (production)
      throw new ConfigError([`${problem}: add the platform's public signing key, or ${OPT_OUT}`]);
    return requiresSignatures(keys)
      ? `${problem}: every signed document will be refused`
      : `${problem}: manifests are accepted unsigned`;
  }
  if (production) {
    throw new ConfigError([
      `MOZAIKS_ENTITLEMENT_PUBLIC_KEYS / MOZAIKS_ENTITLEMENT_SIGNING_KEY: production needs an entitlement verification key (the platform's Ed25519 JWKS file, or the HMAC key), or ${OPT_OUT}`,
    ]);
  }
  return "no entitlement verification key configured: manifests are accepted unsigned";
}
