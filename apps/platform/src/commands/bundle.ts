import { SubscriptionManager } from "@mozaiks/platform-resolver";
import { type Command, Option } from "commander";
import { usageError } from "../output/cli-error.js";
import { type ResolverFlags, resolverFrom, withResolverOptions } from "../shared/config-options.js";
import type { CliContext } from "../shared/context.js";
import { parseDuration } from "../shared/duration.js";
import {
  describeSigner,
  resolveSigner,
  type SigningFlags,
  withSigningOptions,
} from "../shared/signing-options.js";
import {
  type SubscriptionFlags,
  subscriptionFrom,
  withSubscriptionOptions,
} from "../shared/subscription-options.js";

interface BundleFlags extends ResolverFlags, SigningFlags, SubscriptionFlags {
  catalogTtl?: string;
  allowUnsigned?: boolean;
}

async function write(ctx: CliContext, appDir: string, flags: BundleFlags, cmd: Command): Promise<void> {
  const out = ctx.printer(cmd);
  const { config, resolver, ttl } = await resolverFrom(ctx, flags);
  const catalogTtl = flags.catalogTtl === undefined ? ttl : parseDuration(flags.catalogTtl, "--catalog-ttl");
  const signer = await resolveSigner(ctx, flags, (t) => out.note(t));
  if (!signer && !flags.allowUnsigned) {
    throw usageError(
      "bundle write signs its files: pass --key <private jwk> (or --hmac-key), set MOZAIKS_ENTITLEMENT_PRIVATE_KEY, or --allow-unsigned for local development",
    );
  }
  const manager = new SubscriptionManager({
    resolver,
    ...(signer && { signer }),
    allowUnsigned: flags.allowUnsigned === true,
  });
  const sub = subscriptionFrom(flags, config.plans.default_plan);
  const files = await manager.writeBundle(ctx.path(appDir), sub, {
    ...(catalogTtl !== undefined && { catalogTtlSeconds: catalogTtl }),
  });
  const manifest = files.resolution.manifest;
  out.result(
    {
      app_dir: appDir,
      manifest: files.manifest,
      plan_catalog: files.catalog,
      plan: files.resolution.effectivePlan,
      plans_in_catalog: resolver.plans.size,
      signature: describeSigner(signer),
      expires_at: manifest.expires_at ?? null,
    },
    () =>
      [
        `wrote ${files.manifest}`,
        `  app ${sub.app_id}, plan ${files.resolution.effectivePlan}, ${manifest.metadata?.capabilities?.length ?? 0} capabilities, expires ${manifest.expires_at ?? "never"}`,
        `wrote ${files.catalog}`,
        `  ${resolver.plans.size} plans (${[...resolver.plans.keys()].join(", ")}), default ${config.plans.default_plan}`,
        `signature: ${describeSigner(signer)}`,
      ].join("\n"),
  );
  if (!signer) out.note("warning: files are unsigned; a runtime with verification keys will reject them");
}

/** Registers `mozaiks bundle …`. */
export function registerBundleCommands(program: Command, ctx: CliContext): void {
  const bundle = program.command("bundle").description("write entitlements into an app bundle");
  const writeCmd = bundle
    .command("write")
    .description(
      "write entitlement_manifest.json (app-level) and plan_catalog.json (every plan), both signed",
    )
    .argument("<app-dir>", "the app bundle directory");
  withSubscriptionOptions(writeCmd, false);
  withResolverOptions(writeCmd);
  withSigningOptions(writeCmd)
    .option("--catalog-ttl <duration>", "plan catalog lifetime (default: --ttl)")
    .option("--allow-unsigned", "write unsigned files (local development only)")
    .addOption(new Option("--now <iso>", "resolve as of this instant"))
    .addHelpText(
      "after",
      "\nBoth files are written via a temp file and rename, so a runtime never reads a half-written file.\nShipped bundles outlive a one-day TTL: pick --ttl to match how often you rebuild (or none).",
    )
    .action((appDir: string, flags: BundleFlags, cmd: Command) => write(ctx, appDir, flags, cmd));
}
