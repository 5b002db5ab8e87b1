import { join } from "node:path";
import { loadPlatformConfig, type PlatformConfig, PlatformResolver } from "@mozaiks/platform-resolver";
import type { Command } from "commander";
import type { CliContext } from "./context.js";
import { parseDuration, parseNow } from "./duration.js";

/** Flags that locate `capabilities.json` and `plan_capabilities.json`. */
export interface ConfigFlags {
  configDir?: string;
  registry?: string;
  plans?: string;
}

/** Adds `--config-dir`, `--registry`, `--plans` to a command. */
export function withConfigOptions(cmd: Command, plans = true): Command {
  cmd
    .option(
      "-c, --config-dir <dir>",
      "directory holding capabilities.json and plan_capabilities.json (env MOZAIKS_PLATFORM_CONFIG_DIR)",
    )
    .option("--registry <file>", "capability registry (default <config-dir>/capabilities.json)");
  if (plans) cmd.option("--plans <file>", "plan mapping (default <config-dir>/plan_capabilities.json)");
  return cmd;
}

/** Resolves the two file paths from flags, env and defaults. */
export function configFiles(ctx: CliContext, flags: ConfigFlags): { registry: string; plans: string } {
  const dir = flags.configDir ?? ctx.settings.platformConfigDir ?? ".";
  return {
    registry: ctx.path(flags.registry ?? join(dir, "capabilities.json")),
    plans: ctx.path(flags.plans ?? join(dir, "plan_capabilities.json")),
  };
}

/** Loads and validates the config named by the flags (throws with file + JSON path). */
export function loadConfig(ctx: CliContext, flags: ConfigFlags): Promise<PlatformConfig> {
  return loadPlatformConfig(configFiles(ctx, flags));
}

/** Flags of the commands that resolve manifests: the config, `--ttl` and `--now`. */
export interface ResolverFlags extends ConfigFlags {
  ttl?: string;
  now?: string;
}

/** Adds the options {@link resolverFrom} reads but `--now`: the config's and `--ttl`. */
export function withResolverOptions(cmd: Command): Command {
  return withConfigOptions(cmd).option(
    "--ttl <duration>",
    "manifest lifetime: seconds, 30m, 12h, 90d or none (default: manifest_ttl_seconds)",
  );
}

/**
 * The config the flags name and a resolver on it as of `--now`, whose manifests live `--ttl`
 * (`ttl`: seconds, null for none, undefined when not given: the config's manifest_ttl_seconds).
 */
export async function resolverFrom(
  ctx: CliContext,
  flags: ResolverFlags,
): Promise<{ config: PlatformConfig; resolver: PlatformResolver; ttl: number | null | undefined }> {
  const now = parseNow(flags.now);
  const ttl = flags.ttl === undefined ? undefined : parseDuration(flags.ttl, "--ttl");
  const config = await loadConfig(ctx, flags);
  const resolver = new PlatformResolver(config, {
    now: () => now,
    ...(ttl !== undefined && { ttlSeconds: ttl }),
  });
  return { config, resolver, ttl };
}
