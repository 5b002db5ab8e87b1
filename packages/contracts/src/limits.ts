/**
 * The limit ids the runtime meters itself (docs/reference/capabilities.md#limits); every other
 * `cap.limit.*` id comes from the app's registry. Code names a limit through this table.
 *
 * @example
 * ```ts
 * manifest.metadata?.limits?.[LIMIT_IDS.tokensMonthly]; // the monthly token budget
 * ```
 */
export const LIMIT_IDS = {
  /** Model tokens per month, reserved per run and settled from usage events. */
  tokensMonthly: "cap.limit.tokens_monthly",
  /** Workflow runs started per day. */
  workflowsDaily: "cap.limit.workflows_daily",
  /** Tool steps one workflow definition may hold. */
  toolsPerWorkflow: "cap.limit.tools_per_workflow",
  /** Plugin executions per day. */
  pluginCallsDaily: "cap.limit.plugin_calls_daily",
} as const;

export type BuiltInLimitId = (typeof LIMIT_IDS)[keyof typeof LIMIT_IDS];
