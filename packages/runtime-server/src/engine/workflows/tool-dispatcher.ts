import { callerContext, type ExecutionContext } from "@mozaiks/contracts";
import { isPluginExecutionError, type LoadedPlugin } from "../plugins/index.js";

/** Runs one plugin in isolation (`PluginRunner.run`). */
export interface ToolRunner {
  run(plugin: LoadedPlugin, data: Record<string, unknown>): Promise<unknown>;
}

/**
 * Asks the control layer to count one tool call against the caller's limits before it runs
 * (injected: the engine never reads entitlements). Rejects when the call is not allowed.
 */
export type ToolCallReserver = (claims: ExecutionContext, plugin: LoadedPlugin) => Promise<void>;

/**
 * A step the launch scope does not cover, or a tool that failed: ends the run as `run_failed`
 * (an agent reports tool refusals to its model instead). `reason` is a stable code:
 * `tool_not_loaded`, `tool_not_in_scope`, `tool_call_limit`, `tool_call_refused`, `tool_failed`,
 * a model failure (`model_timeout`, …), else `workflow_step_failed`.
 */
export class WorkflowStepError extends Error {
  readonly code = "workflow_step_failed" as const;
  readonly reason: string;
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super(message, options);
    this.name = "WorkflowStepError";
    this.reason = options?.reason ?? "workflow_step_failed";
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Routes the tool calls of one run (defense in depth, docs/architecture.md#runtime-layers):
 * before each call it requires the tool's capability in `scope.tools` and counts calls against `scope.max_tool_calls`, then
 * runs the plugin with `_context` taken from the token claims (never from the step input).
 */
export class ToolDispatcher {
  #calls = 0;

  constructor(
    private readonly claims: ExecutionContext,
    private readonly plugins: (name: string) => LoadedPlugin | undefined,
    private readonly runner: ToolRunner,
    private readonly reserve?: ToolCallReserver,
  ) {}

  async call(stepId: string, tool: string, data: Record<string, unknown>): Promise<unknown> {
    const { scope } = this.claims;
    const plugin = this.plugins(tool);
    if (!plugin) {
      throw new WorkflowStepError(`step '${stepId}': tool '${tool}' is not loaded`, {
        reason: "tool_not_loaded",
      });
    }
    if (!scope.tools.includes(plugin.capability)) {
      throw new WorkflowStepError(`step '${stepId}': ${plugin.capability} is not in the launch scope`, {
        reason: "tool_not_in_scope",
      });
    }
    if (scope.max_tool_calls !== null && this.#calls >= scope.max_tool_calls) {
      throw new WorkflowStepError(
        `step '${stepId}': the launch scope allows ${scope.max_tool_calls} tool calls`,
        { reason: "tool_call_limit" },
      );
    }
    this.#calls += 1;
    if (this.reserve) {
      try {
        await this.reserve(this.claims, plugin);
      } catch (err) {
        throw new WorkflowStepError(`step '${stepId}': tool '${tool}' refused: ${messageOf(err)}`, {
          cause: err,
          reason: "tool_call_refused",
        });
      }
    }
    // The token carries no roles, so the plugin is told of none rather than trusting the input.
    const context = callerContext({ userId: this.claims.user_id }, this.claims.app_id);
    try {
      return await this.runner.run(plugin, { ...data, _context: context });
    } catch (err) {
      const code = isPluginExecutionError(err) ? err.code : "plugin_error";
      throw new WorkflowStepError(`step '${stepId}': tool '${tool}' failed (${code}): ${messageOf(err)}`, {
        cause: err,
        reason: "tool_failed",
      });
    }
  }
}
