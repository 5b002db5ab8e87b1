import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerBundleCommands } from "./commands/bundle.js";
import { registerDevCommands } from "./commands/dev.js";
import { registerKeysCommands } from "./commands/keys.js";
import { registerManifestCommands } from "./commands/manifest.js";
import { registerPacksCommands } from "./commands/packs/index.js";
import { registerPlansCommands } from "./commands/plans.js";
import { registerSyncCommands } from "./commands/sync.js";
import { processStreams } from "./output/printer.js";
import { type CliContext, createCliContext } from "./shared/context.js";
import { cliEnvironment } from "./shared/env.js";

/** The package's version (`mozaiks --version`), read from its package.json (beside src/ and dist/). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  validation or verification failed
  2  usage error (bad flags, unknown plan, missing key)
  3  I/O or network error (missing file, unwritable directory, runtime unreachable)

Environment:
  MOZAIKS_PLATFORM_CONFIG_DIR        directory with capabilities.json + plan_capabilities.json
  MOZAIKS_ENTITLEMENT_PRIVATE_KEY    Ed25519 private JWK file used for signing
  MOZAIKS_ENTITLEMENT_SIGNING_KEY    legacy HMAC key (signing and verification)
  MOZAIKS_ENTITLEMENT_PUBLIC_KEYS    JWKS file used by "manifest verify"
  MOZAIKS_INTERNAL_API_KEY           X-Internal-API-Key for "sync push"
  MOZAIKS_PACK_CATALOG               pack catalog folder of "packs" commands (default of --catalog)
  MOZAIKS_PACK_PATHS                 extra pack folders, separated like PATH`;

/**
 * Builds the `mozaiks` command tree for one run (`ctx`; default: the process's streams and
 * environment). Commander never calls `process.exit` itself (`exitOverride`), so the caller
 * maps errors to the documented exit codes.
 *
 * @example
 * ```ts
 * const help = createProgram().commands.find((c) => c.name() === "plans")?.helpInformation();
 * ```
 */
export function createProgram(ctx: CliContext = createCliContext(processStreams, cliEnvironment())): Command {
  const program = new Command("mozaiks")
    .description("Publish plan mappings and hand runtimes signed entitlements.")
    .version(VERSION, "-v, --version")
    .option("--json", "machine-readable JSON output")
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText("after", EXIT_CODES_HELP);
  program.configureOutput({ writeOut: ctx.streams.stdout, writeErr: ctx.streams.stderr });
  registerKeysCommands(program, ctx);
  registerPlansCommands(program, ctx);
  registerManifestCommands(program, ctx);
  registerBundleCommands(program, ctx);
  registerSyncCommands(program, ctx);
  registerPacksCommands(program, ctx);
  registerDevCommands(program, ctx);
  return program;
}
