import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/** Test identity provider: one Ed25519 key pair published as a JWKS, plus an HS256 secret. */
export const ISSUER = "https://idp.test";
export const AUDIENCE = "example-app";
export const SCOPE = "runtime:use";
export const APP_ID = "example-app";
export const HS_SECRET = "test-hs256-secret-that-is-long-enough-0123456789";
export const INTERNAL_KEY = "internal-key-0123456789abcdef";
/** Frozen test time. */
export const NOW = new Date("2026-03-15T12:00:00Z");
export const NOW_S = Math.floor(NOW.getTime() / 1000);

type SigningKey = Parameters<SignJWT["sign"]>[0];

const pair = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
export const userPrivateKey = pair.privateKey;
export const userPublicJwk: JWK = {
  ...(await exportJWK(pair.publicKey)),
  kid: "idp-1",
  alg: "EdDSA",
  use: "sig",
};
export const userJwks = { keys: [userPublicJwk] };

const other = await generateKeyPair("EdDSA", { crv: "Ed25519" });
/** A key the runtime does not trust (for "bad signature"). */
export const strangerPrivateKey = other.privateKey;

/** Claims of a valid token; override any of them. */
export function claims(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: "user-1",
    preferred_username: "ada",
    roles: ["user"],
    is_superadmin: false,
    app_id: APP_ID,
    scope: `${SCOPE} profile`,
    iss: ISSUER,
    aud: AUDIENCE,
    iat: NOW_S,
    exp: NOW_S + 3600,
    ...over,
  };
}

/** Signs an EdDSA token with the trusted key (or `key`). */
export async function signToken(
  over: Record<string, unknown> = {},
  key: SigningKey = userPrivateKey,
): Promise<string> {
  return new SignJWT(claims(over)).setProtectedHeader({ alg: "EdDSA", kid: "idp-1" }).sign(key);
}

/** Signs an HS256 token with `secret`. */
export async function signHs256(over: Record<string, unknown>, secret: Uint8Array): Promise<string> {
  return new SignJWT(claims(over)).setProtectedHeader({ alg: "HS256" }).sign(secret);
}

/** An unsecured JWT (`alg: none`). */
export function unsignedToken(over: Record<string, unknown> = {}): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${b64({ alg: "none", typ: "JWT" })}.${b64(claims(over))}.`;
}
