import { readFile } from "node:fs/promises";
import type { CapabilityRegistry, PlanCapabilities } from "@mozaiks/contracts";
import { parseJsonLossless } from "@mozaiks/entitlements-core";
import { ConfigInvalidError, ConfigUnreadableError } from "./errors.js";
import { type ConfigIssue, hasErrors } from "./issues.js";
import { asArray, isRecord } from "./json.js";
import { validatePlans } from "./validate-plans.js";
import { validateRegistry } from "./validate-registry.js";

/** A validated registry + plan mapping, with the names of the files they came from. */
export interface PlatformConfig {
  registry: CapabilityRegistry;
  plans: PlanCapabilities;
  files: { registry: string; plans: string };
}

/** Reads a text file; a missing or unreadable file is a `ConfigUnreadableError` naming it. */
export async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : code === "EACCES" ? "permission denied" : String(err);
    throw new ConfigUnreadableError(file, why, { cause: err });
  }
}

/** A `ConfigInvalidError` for a file that is not valid JSON. */
export function invalidJson(file: string, message: string, cause?: unknown): ConfigInvalidError {
  return new ConfigInvalidError(
    [{ file, path: "$", code: "invalid_json", message: `not valid JSON: ${message}`, severity: "error" }],
    { cause },
  );
}

/** Reads and parses a JSON file; errors name the file (and the position of a syntax error). */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = await readTextFile(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidJson(file, (err as Error).message, err);
  }
}

/**
 * Reads a signed JSON file keeping what `JSON.parse` loses (`1.0` vs `1`, digits beyond 2^53),
 * so it can be delivered exactly as it was signed (see `stringifyJson`).
 */
export async function readJsonFileLossless(file: string): Promise<unknown> {
  const text = await readTextFile(file);
  try {
    return parseJsonLossless(text);
  } catch (err) {
    throw invalidJson(file, (err as Error).message, err);
  }
}

/**
 * Validates both documents together and returns every issue; `config` is set only when there
 * are no errors. Plan checks still run when the registry is broken, against the ids it could read.
 */
export function validatePlatformConfig(
  rawRegistry: unknown,
  rawPlans: unknown,
  files: { registry: string; plans: string } = {
    registry: "capabilities.json",
    plans: "plan_capabilities.json",
  },
): { config?: PlatformConfig; issues: ConfigIssue[] } {
  const reg = validateRegistry(rawRegistry, files.registry);
  const index = new Map<string, string>();
  for (const cap of asArray(isRecord(rawRegistry) ? rawRegistry.capabilities : undefined)) {
    if (isRecord(cap) && typeof cap.id === "string") index.set(cap.id, String(cap.type));
  }
  const plans = validatePlans(rawPlans, files.plans, index);
  // Document order (numeric-aware), so people read problems top to bottom.
  const byPath = (a: ConfigIssue, b: ConfigIssue) => a.path.localeCompare(b.path, "en", { numeric: true });
  const issues = [...reg.issues.sort(byPath), ...plans.issues.sort(byPath)];
  if (hasErrors(issues) || !reg.registry || !plans.plans) return { issues };
  return { config: { registry: reg.registry, plans: plans.plans, files }, issues };
}

/**
 * Loads `capabilities.json` and `plan_capabilities.json` from disk and validates them.
 *
 * @throws ConfigUnreadableError when a file is missing or unreadable.
 * @throws ConfigInvalidError listing every problem (file + JSON path) when validation fails.
 * @example
 * ```ts
 * const config = await loadPlatformConfig({ registry: "capabilities.json", plans: "plan_capabilities.json" });
 * ```
 */
export async function loadPlatformConfig(files: {
  registry: string;
  plans: string;
}): Promise<PlatformConfig> {
  const [rawRegistry, rawPlans] = await readBoth(files);
  const { config, issues } = validatePlatformConfig(rawRegistry, rawPlans, files);
  if (!config) throw new ConfigInvalidError(issues);
  return config;
}

/**
 * Reads both files; when both are broken JSON, reports both at once. A missing file wins,
 * since it is an I/O problem rather than a content one.
 */
export async function readBoth(files: { registry: string; plans: string }): Promise<[unknown, unknown]> {
  const [a, b] = await Promise.allSettled([readJsonFile(files.registry), readJsonFile(files.plans)]);
  if (a.status === "fulfilled" && b.status === "fulfilled") return [a.value, b.value];
  const failures = [a, b].flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  const unreadable = failures.find((e) => e instanceof ConfigUnreadableError);
  if (unreadable) throw unreadable;
  if (failures.every((e) => e instanceof ConfigInvalidError)) {
    throw new ConfigInvalidError(failures.flatMap((e) => (e as ConfigInvalidError).issues));
  }
  throw failures[0];
}
