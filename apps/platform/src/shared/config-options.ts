import { join } from "node:path";
import { loadPlatformConfig, type PlatformConfig } from "@mozaiks/platform-resolver";
import type { Command } from "commander";

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
export function configFiles(flags: ConfigFlags): { registry: string; plans: string } {
  const dir = flags.configDir ?? process.env.MOZAIKS_PLATFORM_CONFIG_DIR ?? ".";
  return {
    registry: flags.registry ?? join(dir, "capabilities.json"),
    plans: flags.plans ?? join(dir, "plan_capabilities.json"),
  };
}

/** Loads and validates the config named by the flags (throws with file + JSON path). */
export function loadConfig(flags: ConfigFlags): Promise<PlatformConfig> {
  return loadPlatformConfig(configFiles(flags));
}
