import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type PlatformConfig, validatePlatformConfig } from "../src/index.js";

const examples = fileURLToPath(new URL("../../../examples/platform/", import.meta.url));

/** Raw JSON of the example registry and plan mapping (fresh copies, safe to mutate). */
export function exampleRaw(): {
  registry: Record<string, unknown>;
  plans: { plans: Record<string, unknown>[] } & Record<string, unknown>;
} {
  return {
    registry: JSON.parse(readFileSync(`${examples}capabilities.json`, "utf8")),
    plans: JSON.parse(readFileSync(`${examples}plan_capabilities.json`, "utf8")),
  };
}

/** The example config, validated. */
export function exampleConfig(): PlatformConfig {
  const { registry, plans } = exampleRaw();
  const { config, issues } = validatePlatformConfig(registry, plans);
  if (!config) throw new Error(`example config invalid: ${JSON.stringify(issues)}`);
  return config;
}

export const NOW = new Date("2026-03-10T12:00:00Z");
