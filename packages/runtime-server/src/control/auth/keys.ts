import { readFileSync } from "node:fs";
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import type { JwtAlgorithm, RuntimeConfig } from "../../config.js";
import { RuntimeError } from "../../errors.js";

/** Key material for user tokens: a JWKS resolver and/or an HS256 secret. */
export interface UserAuthKeys {
  jwks?: JWTVerifyGetKey | undefined;
  hs256Secret?: Uint8Array | undefined;
  /** Explicit allowlist; derived from the key kinds when absent. */
  algorithms?: JwtAlgorithm[] | undefined;
}

/** Asymmetric algorithms accepted with a JWKS when no allowlist is configured. */
export const DEFAULT_JWKS_ALGORITHMS: JwtAlgorithm[] = ["EdDSA", "RS256", "ES256"];

/** The effective allowlist: explicit, else EdDSA/RS256/ES256 for a JWKS, HS256 for a secret. */
export function allowedAlgorithms(keys: UserAuthKeys): JwtAlgorithm[] {
  if (keys.algorithms && keys.algorithms.length > 0) return keys.algorithms;
  if (keys.jwks) return DEFAULT_JWKS_ALGORITHMS;
  if (keys.hs256Secret) return ["HS256"];
  return [];
}

/** True when at least one verification key is configured. */
export function hasUserAuthKeys(keys: UserAuthKeys): boolean {
  return Boolean(keys.jwks || keys.hs256Secret);
}

/** Reads a JWKS file (`{keys:[…]}`) into a local key set. */
export function readJwksFile(path: string): { set: JSONWebKeySet; getKey: JWTVerifyGetKey } {
  let set: JSONWebKeySet;
  try {
    set = JSON.parse(readFileSync(path, "utf8")) as JSONWebKeySet;
  } catch (err) {
    throw new RuntimeError(
      "internal_error",
      `cannot read JWKS file ${path}: ${(err as Error).message}`,
      {},
      { cause: err },
    );
  }
  if (!set || !Array.isArray(set.keys)) {
    throw new RuntimeError("internal_error", `JWKS file ${path} has no "keys" array`);
  }
  return { set, getKey: createLocalJWKSet(set) };
}

/** Builds user-auth key material from configuration (JWKS file, JWKS URL with caching, or secret). */
export function userAuthKeysFromConfig(config: RuntimeConfig["auth"]): UserAuthKeys {
  const jwks = config.jwksPath
    ? readJwksFile(config.jwksPath).getKey
    : config.jwksUrl
      ? // jose caches the fetched set (cacheMaxAge) and refetches on an unknown kid (cooldown).
        createRemoteJWKSet(new URL(config.jwksUrl), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 })
      : undefined;
  return {
    jwks,
    hs256Secret: config.hs256Secret ? new TextEncoder().encode(config.hs256Secret) : undefined,
    algorithms: config.algorithms,
  };
}
