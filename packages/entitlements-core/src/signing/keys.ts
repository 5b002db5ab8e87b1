import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import { SigningKeyError } from "../errors.js";

/** A JWKS document: `{ keys: [...] }`. */
export interface Jwks {
  keys: JsonWebKey[];
}

/** An Ed25519 key pair as JWKs sharing one `kid`. */
export interface Ed25519KeyPair {
  kid: string;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
}

/** RFC 7638 thumbprint of an Ed25519 public JWK (base64url SHA-256 of `{"crv","kty","x"}`). */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const canon = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash("sha256").update(canon).digest("base64url");
}

/**
 * Generates an Ed25519 key pair for manifest signing. The `kid` defaults to the key's RFC 7638
 * thumbprint; publish `publicJwk` (via {@link toJwks}) to runtimes and keep `privateJwk` on
 * the platform.
 *
 * @example
 * ```ts
 * const { kid, privateJwk, publicJwk } = generateEd25519KeyPair("2026-01");
 * const jwks = toJwks([publicJwk]);
 * ```
 */
export function generateEd25519KeyPair(kid?: string): Ed25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const pub = publicKey.export({ format: "jwk" });
  const id = kid ?? jwkThumbprint(pub);
  const meta = { kid: id, alg: "EdDSA", use: "sig" };
  return {
    kid: id,
    privateJwk: { ...privateKey.export({ format: "jwk" }), ...meta },
    publicJwk: { ...pub, ...meta },
  };
}

/**
 * Builds a JWKS from public JWKs. Private members (`d`) are stripped so a private key can
 * never be published by mistake; every key must carry a `kid`.
 *
 * @example
 * ```ts
 * writeFileSync("jwks.json", JSON.stringify(toJwks([current.publicJwk, previous.publicJwk])));
 * ```
 */
export function toJwks(publicJwks: readonly JsonWebKey[]): Jwks {
  return {
    keys: publicJwks.map((jwk) => {
      if (typeof jwk.kid !== "string" || jwk.kid === "")
        throw new SigningKeyError("every JWK in a JWKS needs a kid");
      const { d: _d, ...pub } = jwk;
      return pub;
    }),
  };
}

/** Parses and validates a JWKS value (e.g. the content of `MOZAIKS_ENTITLEMENT_PUBLIC_KEYS`). */
export function parseJwks(value: unknown): Jwks {
  const doc: unknown = typeof value === "string" ? safeJson(value) : value;
  if (typeof doc !== "object" || doc === null || !Array.isArray((doc as { keys?: unknown }).keys)) {
    throw new SigningKeyError("JWKS must be an object with a keys array");
  }
  const keys = (doc as { keys: unknown[] }).keys;
  for (const k of keys) {
    if (typeof k !== "object" || k === null) throw new SigningKeyError("every JWKS entry must be an object");
  }
  return { keys: keys as JsonWebKey[] };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new SigningKeyError("JWKS is not valid JSON", { cause });
  }
}

/** Imports an Ed25519 private key from a JWK or checks a KeyObject. */
export function toEd25519PrivateKey(key: JsonWebKey | KeyObject): KeyObject {
  let ko: KeyObject;
  try {
    ko = isKeyObject(key) ? key : createPrivateKey({ key, format: "jwk" });
  } catch (cause) {
    throw new SigningKeyError("invalid Ed25519 private key", { cause });
  }
  if (ko.type !== "private" || ko.asymmetricKeyType !== "ed25519") {
    throw new SigningKeyError("signing key must be an Ed25519 private key");
  }
  return ko;
}

function isKeyObject(k: unknown): k is KeyObject {
  return typeof k === "object" && k !== null && typeof (k as KeyObject).export === "function" && "type" in k;
}

/**
 * Public Ed25519 keys by `kid`, imported once so verification costs one `crypto.verify`.
 * Keys of other types in the JWKS are ignored (they can verify nothing here).
 */
export class KeyRing {
  readonly #keys = new Map<string, KeyObject>();

  constructor(jwks: Jwks) {
    for (const jwk of jwks.keys) {
      if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.kid !== "string") continue;
      try {
        const { d: _d, ...pub } = jwk;
        this.#keys.set(jwk.kid, createPublicKey({ key: pub, format: "jwk" }));
      } catch (cause) {
        throw new SigningKeyError(`JWK ${jwk.kid} is not a valid Ed25519 public key`, { cause });
      }
    }
  }

  get(kid: string): KeyObject | undefined {
    return this.#keys.get(kid);
  }

  get kids(): string[] {
    return [...this.#keys.keys()];
  }

  get size(): number {
    return this.#keys.size;
  }
}

const ringCache = new WeakMap<Jwks, { ring: KeyRing; keys: JsonWebKey[]; count: number }>();

/**
 * The cached {@link KeyRing} of a JWKS object, so repeated verification imports each key once.
 * It is rebuilt when the object's `keys` array is replaced or changes length.
 */
export function keyRingFor(jwks: Jwks): KeyRing {
  const hit = ringCache.get(jwks);
  if (hit !== undefined && hit.keys === jwks.keys && hit.count === jwks.keys.length) return hit.ring;
  const ring = new KeyRing(jwks);
  ringCache.set(jwks, { ring, keys: jwks.keys, count: jwks.keys.length });
  return ring;
}
