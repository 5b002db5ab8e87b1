import {
  type AgentStep,
  agentToolName,
  type ExecutionContext,
  type OrchestrationEvent,
} from "@mozaiks/contracts";
import type { ChatMessage, ToolCall, ToolSpec } from "../models/index.js";
import type { LoadedPlugin } from "../plugins/index.js";
import type { RunModels, StepTokens } from "./run-models.js";
import { type ToolDispatcher, WorkflowStepError } from "./tool-dispatcher.js";

/** Longest tool result handed back to the model (characters of JSON); the rest is cut. */
export const MAX_TOOL_RESULT_CHARS = 20_000;

/** What an agent step outputs. */
export interface AgentOutput {
  text: string;
  model: string;
  tokens: StepTokens;
  /** Model calls made. */
  turns: number;
  tool_calls: Array<{ tool: string; outcome: "completed" | "refused" | "failed"; reason?: string }>;
}

/** What the agent loop uses of its run. */
export interface AgentDeps {
  claims: ExecutionContext;
  models: RunModels;
  tools: ToolDispatcher;
  plugins: (name: string) => LoadedPlugin | undefined;
  /** Reports an `orchestration.tool_call` (the engine adds run id, status and timestamp). */
  emit: (event: Partial<OrchestrationEvent> & Pick<OrchestrationEvent, "kind">) => void;
  runId: string;
  signal: AbortSignal | undefined;
}

const ANY_OBJECT = { type: "object", additionalProperties: true };

/**
 * The tools offered to the model: the step's plugins whose capability is in the launch scope
 * (the others could only be refused). Nothing here grants anything: every call the model makes
 * still goes through the tool dispatcher.
 */
export function offeredTools(step: AgentStep, deps: Pick<AgentDeps, "claims" | "plugins">): ToolSpec[] {
  const specs: ToolSpec[] = [];
  for (const entry of step.tools) {
    const plugin = deps.plugins(agentToolName(entry));
    if (!plugin || !deps.claims.scope.tools.includes(plugin.capability)) continue;
    const own: { description?: string | undefined; parameters?: Record<string, unknown> | undefined } =
      typeof entry === "string" ? {} : entry;
    specs.push({
      name: plugin.descriptor.name,
      description: own.description ?? plugin.descriptor.description,
      parameters: own.parameters ?? ANY_OBJECT,
    });
  }
  return specs;
}

function resultText(value: unknown): string {
  const json = JSON.stringify(value ?? null);
  return json.length > MAX_TOOL_RESULT_CHARS ? `${json.slice(0, MAX_TOOL_RESULT_CHARS)}… (truncated)` : json;
}

/**
 * Runs an agent step: model → tool calls → results → model, until the model answers in text.
 * Every tool call goes through the run's {@link ToolDispatcher} (scope check, `max_tool_calls`,
 * the control layer's reservation). A call that is refused — a tool the step does not list, one
 * the scope does not grant, a limit reached — or that fails is sent back to the model as a tool
 * error and the run goes on; once a tool-call limit is reached no tools are offered any more,
 * so the model has to answer. Not answering within `max_turns` model calls fails the step.
 */
export async function runAgent(step: AgentStep, input: string, system: string | undefined, deps: AgentDeps) {
  const listed = new Set(step.tools.map(agentToolName));
  let specs = offeredTools(step, deps);
  let left = step.max_tool_calls ?? Number.POSITIVE_INFINITY;
  const messages: ChatMessage[] = [];
  if (system) messages.push({ role: "system", content: system });
  messages.push({ role: "user", content: input });
  const calls: AgentOutput["tool_calls"] = [];
  const tokens: StepTokens = { input: 0, output: 0, total: 0 };

  const callTool = async (call: ToolCall) => {
    const refuse = (reason: string, message: string) => ({ outcome: "refused" as const, reason, message });
    if (!listed.has(call.name))
      return refuse("tool_not_offered", `tool '${call.name}' is not available to this agent`);
    if (call.arguments === null || typeof call.arguments !== "object" || Array.isArray(call.arguments)) {
      return {
        outcome: "failed" as const,
        reason: "tool_arguments_invalid",
        message: "arguments must be a JSON object",
      };
    }
    if (left <= 0) {
      specs = [];
      return refuse("tool_call_limit", `this agent may make ${step.max_tool_calls} tool calls; answer now`);
    }
    try {
      const out = await deps.tools.call(step.id, call.name, call.arguments as Record<string, unknown>);
      left -= 1;
      return { outcome: "completed" as const, result: out };
    } catch (err) {
      if (!(err instanceof WorkflowStepError)) throw err;
      if (err.reason === "tool_call_limit") specs = [];
      const outcome = err.reason === "tool_failed" ? ("failed" as const) : ("refused" as const);
      return { outcome, reason: err.reason, message: err.message };
    }
  };

  let model = "";
  for (let turn = 1; turn <= step.max_turns; turn++) {
    if (deps.signal?.aborted) throw deps.signal.reason;
    const r = await deps.models.call(step, messages, specs, `${deps.runId}.step.${step.id}.call.${turn}`);
    tokens.input += r.tokens.input;
    tokens.output += r.tokens.output;
    tokens.total += r.tokens.total;
    model = r.model;
    if (r.toolCalls.length === 0) {
      return { text: r.text, model, tokens, turns: turn, tool_calls: calls } satisfies AgentOutput;
    }
    messages.push({ role: "assistant", content: r.text, toolCalls: r.toolCalls });
    for (const call of r.toolCalls) {
      const done = await callTool(call);
      calls.push({
        tool: call.name,
        outcome: done.outcome,
        ...("reason" in done ? { reason: done.reason } : {}),
      });
      deps.emit({
        kind: "orchestration.tool_call",
        agent: step.id,
        tool: call.name,
        outcome: done.outcome,
        ...("reason" in done ? { reason: done.reason, error: done.message } : {}),
      });
      messages.push({
        role: "tool",
        toolCallId: call.id,
        name: call.name,
        content: "result" in done ? resultText(done.result) : `error: ${done.message}`,
        isError: done.outcome !== "completed",
      });
    }
  }
  throw new WorkflowStepError(
    `step '${step.id}': the agent did not answer within ${step.max_turns} model calls`,
    {
      reason: "agent_turns_exhausted",
    },
  );
}
