import { LIMIT_IDS } from "@mozaiks/contracts";

/**
 * Capabilities granted when no manifest exists (self-hosted/OSS mode), as the original runtime
 * granted them (docs/reference/capabilities.md#defaults-without-a-platform).
 *
 * @example
 * ```ts
 * new CapabilityEvaluator({ capabilities: [...DEFAULT_CAPABILITIES], limits: { ...DEFAULT_LIMITS } });
 * ```
 */
export const DEFAULT_CAPABILITIES: readonly string[] = Object.freeze([
  "cap.workflow.basic",
  "cap.tool.basic",
  "cap.artifact.view",
]);

/** Limits applied when no manifest exists, as the original runtime applied them. */
export const DEFAULT_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  [LIMIT_IDS.tokensMonthly]: 100_000,
  [LIMIT_IDS.workflowsDaily]: 100,
  [LIMIT_IDS.toolsPerWorkflow]: 20,
});
