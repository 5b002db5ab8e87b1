import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, type JWTVerifyGetKey, SignJWT } from "jose";

/** An ephemeral development identity: verification key set + a ready-to-use bearer token. */
export interface DevAuth {
  jwks: JWTVerifyGetKey;
  publicJwk: JWK;
  token: string;
  issuer: string;
  audience: string;
}

/**
 * Development mode only: generates an Ed25519 key pair in memory and signs a 24 h token for
 * `dev-user`, so the runtime can be tried without an identity provider. The private key is
 * never written anywhere; it is gone when the process exits.
 */
export async function createDevAuth(opts: {
  appId: string;
  issuer?: string | undefined;
  audience?: string | undefined;
  scope?: string | undefined;
  now: Date;
}): Promise<DevAuth> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: "dev", alg: "EdDSA", use: "sig" };
  const issuer = opts.issuer ?? "mozaiks-dev";
  const audience = opts.audience ?? opts.appId;
  const iat = Math.floor(opts.now.getTime() / 1000);
  const token = await new SignJWT({
    app_id: opts.appId,
    preferred_username: "dev",
    roles: ["user"],
    is_superadmin: false,
    ...(opts.scope ? { scope: opts.scope } : {}),
  })
    .setProtectedHeader({ alg: "EdDSA", kid: "dev" })
    .setSubject("dev-user")
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 24 * 3600)
    .sign(privateKey);
  return { jwks: createLocalJWKSet({ keys: [publicJwk] }), publicJwk, token, issuer, audience };
}
