import { readFileSync } from "node:fs";
import { hasVerificationKeys, type Jwks, parseJwks } from "@mozaiks/entitlements-core";
import type { RuntimeConfig } from "../../config.js";
import { RuntimeError } from "../../errors.js";

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
      throw new RuntimeError(
        "internal_error",
        `MOZAIKS_ENTITLEMENT_PUBLIC_KEYS: cannot read JWKS ${config.publicKeysPath}: ${(err as Error).message}`,
        {},
        { cause: err },
      );
    }
  }
  return { jwks, hmacKey: config.hmacKey };
}
