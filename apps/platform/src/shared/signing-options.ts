import type { JsonWebKey } from "node:crypto";
import { stat } from "node:fs/promises";
import { Ed25519ManifestSigner, HmacManifestSigner, type ManifestSigner } from "@mozaiks/entitlements-core";
import { readJsonFile } from "@mozaiks/platform-resolver";
import type { Command } from "commander";
import { CliError, usageError } from "../output/cli-error.js";
import { EXIT } from "../output/exit-codes.js";
import type { CliContext } from "./context.js";

/** Flags that select a signing key. */
export interface SigningFlags {
  key?: string;
  hmacKey?: string;
}

/** Adds `--key` and `--hmac-key` to a command. */
export function withSigningOptions(cmd: Command): Command {
  return cmd
    .option("--key <file>", "Ed25519 private JWK to sign with (env MOZAIKS_ENTITLEMENT_PRIVATE_KEY)")
    .option(
      "--hmac-key <secret>",
      "legacy HMAC-SHA256 key instead of Ed25519 (env MOZAIKS_ENTITLEMENT_SIGNING_KEY)",
    );
}

/** True when a key was passed explicitly on the command line. */
export function keyGiven(flags: SigningFlags): boolean {
  return flags.key !== undefined || flags.hmacKey !== undefined;
}

/**
 * Picks the signer: `--key`, then `--hmac-key`, then the same from the environment. Ed25519
 * wins over HMAC at each level because only it keeps minting keys off the runtime.
 */
export async function resolveSigner(
  ctx: CliContext,
  flags: SigningFlags,
  warn: (text: string) => void = () => {},
): Promise<ManifestSigner | undefined> {
  if (flags.key && flags.hmacKey) throw usageError("pass either --key or --hmac-key, not both");
  const keyFile = flags.key ?? (flags.hmacKey ? undefined : ctx.settings.privateKeyFile);
  if (keyFile) {
    const jwk = await readJsonFile(ctx.path(keyFile));
    if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
      throw usageError(`${keyFile}: not a JWK object`);
    }
    const k = jwk as JsonWebKey;
    if (k.kty !== "OKP" || k.crv !== "Ed25519")
      throw usageError(`${keyFile}: $.kty/$.crv: not an Ed25519 (OKP) key`);
    if (typeof k.d !== "string")
      throw usageError(`${keyFile}: $.d: missing; this is a public key, not a private one`);
    if (typeof k.kid !== "string" || k.kid === "") throw usageError(`${keyFile}: $.kid: missing key id`);
    // Same check ssh makes: a private key others can read is a key others may have copied.
    const mode = (await stat(ctx.path(keyFile))).mode;
    if (mode & 0o077)
      warn(
        `warning: ${keyFile} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
      );
    return signerOf(() => new Ed25519ManifestSigner({ privateKey: k, kid: k.kid as string }));
  }
  const hmac = flags.hmacKey ?? ctx.settings.hmacKey;
  return hmac ? signerOf(() => new HmacManifestSigner({ signingKey: hmac })) : undefined;
}

/** A key the checks above let through but the signer refuses (e.g. `d` not a key) is a usage error. */
function signerOf(make: () => ManifestSigner): ManifestSigner {
  try {
    return make();
  } catch (err) {
    throw new CliError("signing_failed", (err as Error).message, EXIT.usage, [], { cause: err });
  }
}

/** Describes a signer for people: `EdDSA (kid k1)` or `HMAC-SHA256`. */
export function describeSigner(signer: ManifestSigner | undefined): string {
  if (!signer) return "unsigned";
  return signer.alg === "EdDSA" ? `EdDSA (kid ${signer.kid})` : "HMAC-SHA256";
}
