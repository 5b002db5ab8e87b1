import { Command } from "commander";
import { registerBundleCommands } from "./commands/bundle.js";
import { registerDevCommands } from "./commands/dev.js";
import { registerKeysCommands } from "./commands/keys.js";
import { registerManifestCommands } from "./commands/manifest.js";
import { registerPacksCommands } from "./commands/packs/index.js";
import { registerPlansCommands } from "./commands/plans.js";
import { registerSyncCommands } from "./commands/sync.js";
import type { Streams } from "./output/printer.js";

export const VERSION = "0.1.0";

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
  MOZAIKS_INTERNAL_API_KEY           X-Internal-API-Key for "sync push"`;

/**
 * Builds the `mozaiks` command tree. Commander never calls `process.exit` itself
 * (`exitOverride`), so the caller maps errors to the documented exit codes.
 *
 * @example
 * ```ts
 * const help = createProgram().commands.find((c) => c.name() === "plans")?.helpInformation();
 * ```
 */
export function createProgram(streams?: Streams): Command {
  const program = new Command("mozaiks")
    .description("Publish plan mappings and hand runtimes signed entitlements.")
    .version(VERSION, "-v, --version")
    .option("--json", "machine-readable JSON output")
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText("after", EXIT_CODES_HELP);
  if (streams) program.configureOutput({ writeOut: streams.stdout, writeErr: streams.stderr });
  registerKeysCommands(program);
  registerPlansCommands(program);
  registerManifestCommands(program);
  registerBundleCommands(program);
  registerSyncCommands(program);
  registerPacksCommands(program);
  registerDevCommands(program);
  return program;
}
