import type {
  ExecutionContext,
  OrchestrationEvent,
  RunEvent,
  WorkflowDefinition,
  WorkflowStep,
} from "@mozaiks/contracts";
import { type ChatMessage, ModelProviders } from "../models/index.js";
import type { LoadedPlugin } from "../plugins/index.js";
import { runAgent } from "./agent.js";
import { type LaunchVerifyKey, verifyLaunchToken } from "./launch-token.js";
import { RunModels } from "./run-models.js";
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
  /** Model providers by name; default: only the offline local model. */
  models?: ModelProviders;
}

/** One run handed to the engine. */
export interface WorkflowRunJob {
  /** The run the caller expects; a token minted for another run is refused. */
  runId: string;
  launchToken: string;
  definition: WorkflowDefinition;
  input: Record<string, unknown>;
  sink: RunEventSink;
  /** Aborting it cancels the run: model requests in flight are aborted, no further step starts. */
  signal?: AbortSignal;
}

/** Final state of a run as the engine saw it; `reason` is a stable code (docs/guides/workflows.md). */
export type WorkflowRunResult =
  | { status: "completed"; output: unknown }
  | { status: "failed" | "cancelled"; error: string; reason: string };

/**
 * The workflow engine (docs/architecture.md#runtime-layers): verifies the launch token (shape +
 * signature), then runs the steps inside its scope. Before each tool call — a tool step's or
 * an agent's — the dispatcher requires the tool's capability in `scope.tools` and counts calls
 * against `scope.max_tool_calls`; model and agent steps call their provider (the offline local
 * model by default) with `scope.token_allowance` bounding `max_tokens`. It decides nothing about
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
    const end = (result: WorkflowRunResult): WorkflowRunResult => {
      if (result.status === "completed") lifecycle("orchestration.run_completed", { output: result.output });
      else {
        lifecycle("orchestration.run_failed", {
          error: result.error,
          reason: result.reason,
          ...(result.status === "cancelled" ? { status: "cancelled" as const } : {}),
        });
      }
      return result;
    };
    const fail = (error: string): WorkflowRunResult =>
      end({ status: "failed", error, reason: "launch_token_invalid" });

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
    const tools = new ToolDispatcher(claims, this.deps.plugins, this.deps.runner, this.deps.reserveToolCall);
    const models = new RunModels(
      claims,
      this.deps.models ?? new ModelProviders([]),
      (e) => sink.emit(e),
      this.deps.now,
      job.signal,
    );
    const text = (template: string | undefined) =>
      template === undefined ? undefined : String(resolveTemplate(template, scope) ?? "");

    const runStep = async (step: WorkflowStep): Promise<unknown> => {
      if (step.kind === "model") {
        const messages: ChatMessage[] = [];
        const system = text(step.system);
        if (system) messages.push({ role: "system", content: system });
        messages.push({ role: "user", content: text(step.prompt) ?? "" });
        // Namespaced so no step id (e.g. one named "summary") can collide with the run summary.
        const r = await models.call(step, messages, [], `${runId}.step.${step.id}`);
        return { text: r.text, model: r.model, tokens: r.tokens };
      }
      if (step.kind === "agent") {
        return runAgent(step, text(step.input) ?? "", text(step.system), {
          claims,
          models,
          tools,
          plugins: this.deps.plugins,
          emit: (e) => lifecycle(e.kind, e),
          runId,
          signal: job.signal,
        });
      }
      const data = resolveTemplate(step.input, scope) as Record<string, unknown>;
      return tools.call(step.id, step.tool, data);
    };

    let result: WorkflowRunResult;
    try {
      for (const step of definition.steps) {
        if (job.signal?.aborted) break;
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
      result =
        err instanceof WorkflowStepError
          ? { status: "failed", error: err.message, reason: err.reason }
          : { status: "failed", error: `internal: ${String(err)}`, reason: "internal" };
    }
    if (job.signal?.aborted)
      result = { status: "cancelled", error: "the run was cancelled", reason: "cancelled" };
    const summary = models.summary(`${runId}.run_summary`);
    if (summary) sink.emit(summary);
    return end(result);
  }
}
