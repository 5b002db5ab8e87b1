import { createPublicKey, type JsonWebKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { ConfigError, type JwtAlgorithm, type RuntimeConfig } from "../../config.js";

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

/** The key type each asymmetric algorithm family verifies with. */
function ktyOf(alg: JwtAlgorithm): string | undefined {
  if (alg === "EdDSA") return "OKP";
  if (alg.startsWith("ES")) return "EC";
  if (alg.startsWith("RS") || alg.startsWith("PS")) return "RSA";
  return undefined;
}

/**
 * Why a user-token JWKS cannot serve, or undefined when it can: every key must import (a
 * malformed one is an operator mistake, not something to skip silently) and at least one
 * signature key must match an accepted algorithm. Keys marked `use: "enc"` are ignored.
 */
export function jwksProblem(set: JSONWebKeySet, algorithms: readonly JwtAlgorithm[]): string | undefined {
  const accepted = algorithms.filter((a) => ktyOf(a) !== undefined);
  let usable = 0;
  for (const [i, jwk] of set.keys.entries()) {
    const name = `key ${i}${typeof jwk?.kid === "string" ? ` (kid "${jwk.kid}")` : ""}`;
    if (typeof jwk !== "object" || jwk === null) return `${name} is not an object`;
    if (jwk.use === "enc") continue;
    if (jwk.kty === "oct")
      return `${name} is a symmetric key: use MOZAIKS_AUTH_HS256_SECRET for shared secrets`;
    try {
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk as Record<string, unknown>;
      createPublicKey({ key: pub as JsonWebKey, format: "jwk" });
    } catch (err) {
      return `${name} is not a valid public key (${(err as Error).message})`;
    }
    const alg = typeof jwk.alg === "string" ? jwk.alg : undefined;
    if (accepted.some((a) => ktyOf(a) === jwk.kty && (alg === undefined || alg === a))) usable++;
  }
  if (usable === 0)
    return `holds no signature key for the accepted algorithms (${accepted.join(", ") || "none"})`;
  return undefined;
}

/**
 * Reads a JWKS file (`{keys:[…]}`) into a local key set, refusing a file that cannot verify any
 * token (see {@link jwksProblem}) with a one-line {@link ConfigError} naming the variable.
 */
export function readJwksFile(
  path: string,
  algorithms: readonly JwtAlgorithm[] = DEFAULT_JWKS_ALGORITHMS,
): { set: JSONWebKeySet; getKey: JWTVerifyGetKey } {
  const fail = (why: string): never => {
    throw new ConfigError([
      `MOZAIKS_AUTH_JWKS_PATH: ${path} ${why}; point it at the identity provider's JWKS (public signing keys)`,
    ]);
  };
  let set: JSONWebKeySet;
  try {
    set = JSON.parse(readFileSync(path, "utf8")) as JSONWebKeySet;
  } catch (err) {
    return fail(`cannot be read as JSON (${(err as Error).message})`);
  }
  if (!set || !Array.isArray(set.keys)) return fail(`has no "keys" array`);
  const problem = jwksProblem(set, algorithms);
  if (problem) return fail(problem);
  return { set, getKey: createLocalJWKSet(set) };
}

/** Builds user-auth key material from configuration (JWKS file, JWKS URL with caching, or secret). */
export function userAuthKeysFromConfig(config: RuntimeConfig["auth"]): UserAuthKeys {
  const jwks = config.jwksPath
    ? readJwksFile(config.jwksPath, config.algorithms ?? DEFAULT_JWKS_ALGORITHMS).getKey
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
