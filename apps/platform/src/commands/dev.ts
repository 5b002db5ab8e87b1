import { createPrivateKey, generateKeyPairSync, type JsonWebKey, type KeyObject, sign } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { ioError, usageError } from "../output/cli-error.js";
import type { CliContext } from "../shared/context.js";

interface TokenFlags {
  sub: string;
  roles?: string;
  username?: string;
  superadmin?: boolean;
  appId?: string;
  scope?: string;
  iss?: string;
  aud?: string;
  ttl: string;
  key?: string;
  keyDir: string;
}

const b64url = (v: Buffer | string) => Buffer.from(v).toString("base64url");

/** The JWS algorithm a private JWK signs with (the runtime's default allowlist: EdDSA, ES256, RS256). */
function algorithmOf(jwk: JsonWebKey, file: string): { alg: string; hash: string | null; p1363: boolean } {
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return { alg: "EdDSA", hash: null, p1363: false };
  if (jwk.kty === "EC" && jwk.crv === "P-256") return { alg: "ES256", hash: "sha256", p1363: true };
  if (jwk.kty === "RSA") return { alg: "RS256", hash: "sha256", p1363: false };
  throw usageError(
    `${file}: a private JWK of kty OKP (Ed25519), EC (P-256) or RSA is needed, got ${jwk.kty}`,
  );
}

/** Reads the private JWK `file` (named as typed; `at` resolves it). */
async function readPrivateJwk(file: string, at: (file: string) => string): Promise<JsonWebKey> {
  let jwk: JsonWebKey;
  try {
    jwk = JSON.parse(await readFile(at(file), "utf8")) as JsonWebKey;
  } catch (err) {
    throw (err as NodeJS.ErrnoException).code === "ENOENT"
      ? ioError(`${file} does not exist`, err)
      : usageError(`${file} is not a JSON Web Key: ${(err as Error).message}`);
  }
  if (typeof jwk.d !== "string") throw usageError(`${file}: not a private key (no "d")`);
  return jwk;
}

/**
 * The local development key: `<dir>/dev-user.private.jwk.json` (created on first use, 0600)
 * and its public `<dir>/dev-user.jwks.json`, the file a runtime reads as MOZAIKS_AUTH_JWKS_PATH.
 * The names are returned as `dir` was typed; `at` resolves them for reading and writing.
 */
async function localKey(
  dir: string,
  at: (file: string) => string,
): Promise<{ file: string; jwks: string; jwk: JsonWebKey }> {
  const file = join(dir, "dev-user.private.jwk.json");
  const jwks = join(dir, "dev-user.jwks.json");
  try {
    return { file, jwks, jwk: await readPrivateJwk(file, at) };
  } catch (err) {
    if ((err as { code?: string }).code !== "io") throw err;
  }
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "dev-user", alg: "EdDSA", use: "sig" };
  const pub = { ...publicKey.export({ format: "jwk" }), kid: "dev-user", alg: "EdDSA", use: "sig" };
  try {
    await mkdir(at(dir), { recursive: true, mode: 0o700 });
    await writeFile(at(file), `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600 });
    await writeFile(at(jwks), `${JSON.stringify({ keys: [pub] }, null, 2)}\n`);
  } catch (err) {
    throw ioError(`cannot write the development key in ${dir}: ${(err as Error).message}`, err);
  }
  return { file, jwks, jwk };
}

/** A compact JWS of `claims`, signed with `jwk` (node:crypto, the algorithms the runtime verifies). */
export function signJwt(claims: Record<string, unknown>, jwk: JsonWebKey, file = "key"): string {
  const { alg, hash, p1363 } = algorithmOf(jwk, file);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: jwk, format: "jwk" });
  } catch (err) {
    throw usageError(`${file}: not a usable private key (${(err as Error).message})`);
  }
  const header = { alg, typ: "JWT", ...(typeof jwk.kid === "string" ? { kid: jwk.kid } : {}) };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = sign(hash, Buffer.from(input), p1363 ? { key, dsaEncoding: "ieee-p1363" } : key);
  return `${input}.${b64url(sig)}`;
}

async function token(ctx: CliContext, flags: TokenFlags, cmd: Command): Promise<void> {
  const out = ctx.printer(cmd);
  if (!flags.sub.trim()) throw usageError("--sub must be a non-empty user id");
  const ttl = Number(flags.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 30 * 86_400) {
    throw usageError("--ttl must be a whole number of seconds between 1 and 2592000 (30 days)");
  }
  const key = flags.key
    ? { file: flags.key, jwks: undefined, jwk: await readPrivateJwk(flags.key, ctx.path) }
    : await localKey(flags.keyDir, ctx.path);
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    sub: flags.sub,
    roles: (flags.roles ?? "user")
      .split(",")
      .map((r) => r.trim())
      .filter(Boolean),
    is_superadmin: flags.superadmin === true,
    ...(flags.username ? { preferred_username: flags.username } : {}),
    ...(flags.appId ? { app_id: flags.appId } : {}),
    ...(flags.scope ? { scope: flags.scope } : {}),
    ...(flags.iss ? { iss: flags.iss } : {}),
    ...(flags.aud ? { aud: flags.aud } : {}),
    iat: now,
    exp: now + ttl,
  };
  const jwt = signJwt(claims, key.jwk, key.file);
  const publicJwks = key.jwks ?? null;
  out.result({ token: jwt, claims, key: key.file, jwks: publicJwks }, () => jwt);
  if (publicJwks) {
    ctx.streams.stderr(
      `verify with: MOZAIKS_AUTH_JWKS_PATH=${publicJwks} (the development key ${key.file})\n`,
    );
  }
}

/** Registers `mozaiks dev …`. */
export function registerDevCommands(program: Command, ctx: CliContext): void {
  const dev = program
    .command("dev")
    .description("development helpers for a runtime configured with a local key");
  dev
    .command("token")
    .description("mint a user token (JWT) for a runtime that trusts a local key")
    .requiredOption("--sub <user>", "the user id (claim sub)")
    .option("--roles <list>", "comma-separated roles (claim roles)", "user")
    .option("--username <name>", "claim preferred_username")
    .option("--superadmin", "claim is_superadmin: true")
    .option("--app-id <id>", "claim app_id (must be the runtime's MOZAIKS_APP_ID when present)")
    .option("--scope <scopes>", "space-separated scopes (claim scope), e.g. for MOZAIKS_AUTH_REQUIRED_SCOPE")
    .option("--iss <issuer>", "claim iss (match MOZAIKS_AUTH_ISSUER)")
    .option("--aud <audience>", "claim aud (match MOZAIKS_AUTH_AUDIENCE)")
    .option("--ttl <seconds>", "lifetime in seconds", "3600")
    .option("--key <file>", "a private JWK to sign with (Ed25519, P-256 or RSA)")
    .option("--key-dir <dir>", "where the development key lives without --key", ".mozaiks")
    .addHelpText(
      "after",
      "\nWithout --key, an Ed25519 key is created in --key-dir on first use; start the runtime with\nMOZAIKS_AUTH_JWKS_PATH=<key-dir>/dev-user.jwks.json. The token is printed alone on stdout.\nClaims the runtime reads: docs/guides/auth.md.",
    )
    .action((flags: TokenFlags, cmd: Command) => token(ctx, flags, cmd));
}
