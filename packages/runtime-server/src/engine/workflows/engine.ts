import type {
  ExecutionContext,
  OrchestrationEvent,
  RunEvent,
  UsageEvent,
  WorkflowDefinition,
  WorkflowStep,
} from "@mozaiks/contracts";
import type { LoadedPlugin } from "../plugins/index.js";
import { type LaunchVerifyKey, verifyLaunchToken } from "./launch-token.js";
import { countTokens, LOCAL_MODEL, summarize } from "./local-model.js";
import { resolveTemplate, type TemplateScope } from "./template.js";
import {
  type ToolCallReserver,
  ToolDispatcher,
  type ToolRunner,
  WorkflowStepError,
} from "./tool-dispatcher.js";

/** Where the engine reports events; it never writes storage itself. */
export interface RunEventSink {
  emit(event: RunEvent): void;
}

/** Services of the {@link WorkflowEngine}. */
export interface WorkflowEngineDeps {
  /** The control layer's launch public key. */
  launchKey: LaunchVerifyKey;
  /** Loaded plugins by name. */
  plugins: (name: string) => LoadedPlugin | undefined;
  runner: ToolRunner;
  now: () => Date;
  /** Counts each routed tool call against the caller's limits (the control layer's reservation). */
  reserveToolCall?: ToolCallReserver;
}

/** One run handed to the engine. */
export interface WorkflowRunJob {
  /** The run the caller expects; a token minted for another run is refused. */
  runId: string;
  launchToken: string;
  definition: WorkflowDefinition;
  input: Record<string, unknown>;
  sink: RunEventSink;
}

/** Final state of a run as the engine saw it. */
export type WorkflowRunResult =
  | { status: "completed"; output: unknown }
  | { status: "failed"; error: string };

/**
 * The workflow engine (docs/architecture.md#runtime-layers): verifies the launch token (shape +
 * signature), then runs the steps inside its scope. Before each tool call the dispatcher requires the tool's capability
 * in `scope.tools` and counts calls against `scope.max_tool_calls`; model steps use the local
 * model with `scope.token_allowance` as their `max_tokens` budget. It decides nothing about
 * entitlements: it never widens, recomputes or reads anything beyond the token.
 *
 * @example
 * ```ts
 * const engine = new WorkflowEngine({ launchKey, plugins: (n) => registry.get(n), runner, now: () => new Date() });
 * await engine.run({ runId, launchToken, definition, input: { text }, sink: { emit: console.log } });
 * ```
 */
export class WorkflowEngine {
  constructor(private readonly deps: WorkflowEngineDeps) {}

  async run(job: WorkflowRunJob): Promise<WorkflowRunResult> {
    const { runId, definition, sink } = job;
    const ts = () => this.deps.now().toISOString();
    const lifecycle = (kind: OrchestrationEvent["kind"], extra: Partial<OrchestrationEvent> = {}) => {
      const status =
        kind === "orchestration.run_completed"
          ? "completed"
          : kind === "orchestration.run_failed"
            ? "failed"
            : "in_progress";
      sink.emit({ kind, run_id: runId, status, timestamp: ts(), workflow_id: definition.name, ...extra });
    };
    const fail = (error: string): WorkflowRunResult => {
      lifecycle("orchestration.run_failed", { error });
      return { status: "failed", error };
    };

    let claims: ExecutionContext;
    try {
      claims = await verifyLaunchToken(job.launchToken, this.deps.launchKey, this.deps.now());
    } catch (err) {
      return fail((err as Error).message);
    }
    if (claims.run_id !== runId) return fail(`launch token is for run '${claims.run_id}', not '${runId}'`);
    if (claims.workflow_id !== definition.name) {
      return fail(`launch token is for workflow '${claims.workflow_id}', not '${definition.name}'`);
    }

    lifecycle("orchestration.run_started");
    const scope: TemplateScope = { input: job.input, steps: {} };
    const usage = { input: 0, output: 0, total: 0, calls: 0 };
    let allowance = claims.scope.token_allowance ?? Number.POSITIVE_INFINITY;
    const tools = new ToolDispatcher(claims, this.deps.plugins, this.deps.runner, this.deps.reserveToolCall);
    const usageEvent = (over: Partial<UsageEvent> & Pick<UsageEvent, "kind" | "event_id">): UsageEvent => ({
      timestamp: ts(),
      app_id: claims.app_id,
      user_id: claims.user_id,
      workflow_id: claims.workflow_id,
      run_id: runId,
      model: LOCAL_MODEL,
      input_tokens: 0,
      output_tokens: 0,
      total_tokens: 0,
      ...over,
    });

    const runStep = async (step: WorkflowStep): Promise<unknown> => {
      if (step.kind === "model") {
        const prompt = String(resolveTemplate(step.prompt, scope) ?? "");
        const promptTokens = countTokens(prompt);
        // Under `hard` the allowance bounds what the run may use, input included: a prompt that
        // does not fit is never sent (under `soft` it is only a max_tokens budget).
        if (claims.scope.token_enforcement === "hard" && promptTokens > allowance) {
          throw new WorkflowStepError(
            `step '${step.id}': the prompt needs ${promptTokens} tokens, the run's token allowance has ${allowance} left`,
          );
        }
        const headroom = Math.max(0, allowance - promptTokens);
        const out = summarize(prompt, Math.min(step.max_tokens, headroom));
        const total = out.inputTokens + out.outputTokens;
        allowance = Math.max(0, allowance - total);
        usage.input += out.inputTokens;
        usage.output += out.outputTokens;
        usage.total += total;
        usage.calls += 1;
        sink.emit(
          usageEvent({
            kind: "chat.usage_delta",
            // Namespaced so no step id (e.g. one named "summary") can collide with the run summary.
            event_id: `${runId}.step.${step.id}`,
            input_tokens: out.inputTokens,
            output_tokens: out.outputTokens,
            total_tokens: total,
          }),
        );
        return { text: out.text, tokens: { input: out.inputTokens, output: out.outputTokens, total } };
      }
      const data = resolveTemplate(step.input, scope) as Record<string, unknown>;
      return tools.call(step.id, step.tool, data);
    };

    let result: WorkflowRunResult;
    try {
      for (const step of definition.steps) {
        lifecycle("orchestration.agent_started", { agent: step.id });
        // Defined, not assigned: a step id like `__proto__` stays an own key the templates read.
        Object.defineProperty(scope.steps, step.id, {
          value: { output: (await runStep(step)) ?? null },
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      const output = definition.output === undefined ? null : resolveTemplate(definition.output, scope);
      result = { status: "completed", output };
    } catch (err) {
      result = {
        status: "failed",
        error: err instanceof WorkflowStepError ? err.message : `internal: ${String(err)}`,
      };
    }
    if (usage.calls > 0) {
      sink.emit(
        usageEvent({
          kind: "chat.usage_summary",
          event_id: `${runId}.run_summary`,
          input_tokens: usage.input,
          output_tokens: usage.output,
          total_tokens: usage.total,
        }),
      );
    }
    if (result.status === "completed") lifecycle("orchestration.run_completed", { output: result.output });
    else lifecycle("orchestration.run_failed", { error: result.error });
    return result;
  }
}
