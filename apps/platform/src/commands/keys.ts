import type { JsonWebKey } from "node:crypto";
import { chmod, mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { generateEd25519KeyPair, parseJwks, toJwks } from "@mozaiks/entitlements-core";
import { isPlatformError, readJsonFile, writeFileAtomic } from "@mozaiks/platform-resolver";
import type { Command } from "commander";
import { ioError, usageError } from "../output/cli-error.js";
import type { CliContext } from "../shared/context.js";

interface GenerateFlags {
  out: string;
  kid?: string;
  jwks?: string;
  force?: boolean;
}

const KID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Reads an existing JWKS for merging, or starts an empty one. */
async function existingJwks(file: string): Promise<JsonWebKey[]> {
  try {
    return parseJwks(await readJsonFile(file)).keys;
  } catch (err) {
    const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
    if (isPlatformError(err) && err.code === "config_unreadable" && cause?.code === "ENOENT") return [];
    if ((err as { code?: string }).code === "signing_key_invalid")
      throw usageError(`${file}: $.keys: ${(err as Error).message}`);
    throw err;
  }
}

async function writePrivateKey(file: string, jwk: JsonWebKey, force: boolean): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // 0600 from creation, so the key is never readable by others, even briefly.
    handle = await open(file, force ? "w" : "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw usageError(`${file} already exists; choose another --kid or pass --force`);
    }
    throw ioError(`cannot write ${file}: ${(err as Error).message}`, err);
  }
  try {
    await handle.writeFile(`${JSON.stringify(jwk, null, 2)}\n`, "utf8");
  } finally {
    await handle.close();
  }
  await chmod(file, 0o600);
}

async function generate(ctx: CliContext, flags: GenerateFlags, cmd: Command): Promise<void> {
  const out = ctx.printer(cmd);
  if (flags.kid !== undefined && !KID.test(flags.kid)) {
    throw usageError("--kid must be 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit");
  }
  const pair = generateEd25519KeyPair(flags.kid);
  const jwksFile = flags.jwks ?? join(flags.out, "jwks.json");
  const keys = await existingJwks(ctx.path(jwksFile));
  const clash = keys.findIndex((k) => k.kid === pair.kid);
  if (clash >= 0 && !flags.force)
    throw usageError(`${jwksFile}: $.keys[${clash}].kid: kid ${pair.kid} is already published`);
  const merged = [...keys.filter((k) => k.kid !== pair.kid), pair.publicJwk];
  const privateFile = join(flags.out, `${pair.kid}.private.jwk.json`);
  try {
    await mkdir(ctx.path(flags.out), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw ioError(`cannot create ${flags.out}: ${(err as Error).message}`, err);
  }
  await writePrivateKey(ctx.path(privateFile), pair.privateJwk, flags.force === true);
  await writeFileAtomic(ctx.path(jwksFile), `${JSON.stringify(toJwks(merged), null, 2)}\n`);
  out.result({ kid: pair.kid, private_key: privateFile, jwks: jwksFile, keys_in_jwks: merged.length }, () =>
    [
      `generated Ed25519 key ${pair.kid}`,
      `  private key  ${privateFile}  (mode 0600; keep it on the platform, never ship it)`,
      `  public JWKS  ${jwksFile}  (${merged.length} key${merged.length === 1 ? "" : "s"}; give it to runtimes as MOZAIKS_ENTITLEMENT_PUBLIC_KEYS)`,
    ].join("\n"),
  );
}

/** Registers `mozaiks keys …`. */
export function registerKeysCommands(program: Command, ctx: CliContext): void {
  const keys = program.command("keys").description("manage Ed25519 signing keys for entitlements");
  keys
    .command("generate")
    .description("generate an Ed25519 key pair: a private JWK (0600) and a public JWKS that runtimes trust")
    .option("-o, --out <dir>", "directory for the key files", "keys")
    .option("--kid <kid>", "key id (default: the key's RFC 7638 thumbprint)")
    .option("--jwks <file>", "public JWKS to create or extend (default <out>/jwks.json)")
    .option("--force", "overwrite a private key file or JWKS entry with the same kid")
    .addHelpText(
      "after",
      "\nRotation: run again with a new --kid; the new public key is merged into the existing JWKS,\nso runtimes accept manifests signed by either key until the old one is removed.",
    )
    .action((flags: GenerateFlags, cmd: Command) => generate(ctx, flags, cmd));
}
