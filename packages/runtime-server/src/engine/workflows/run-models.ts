import type { ExecutionContext, UsageEvent } from "@mozaiks/contracts";
import {
  type ChatMessage,
  isModelError,
  type ModelProvider,
  type ModelProviders,
  type ModelResponse,
  type ToolSpec,
} from "../models/index.js";
import { WorkflowStepError } from "./tool-dispatcher.js";

/** What a step asks of a model: which one, and its own output bound. */
export interface ModelStepChoice {
  id: string;
  provider?: string | undefined;
  model?: string | undefined;
  max_tokens: number;
}

/** Token counts of one call or of a whole step, as step outputs carry them. */
export interface StepTokens {
  input: number;
  output: number;
  total: number;
}

/** One accounted call: the provider's answer and the tokens it cost. */
export interface AccountedCall extends ModelResponse {
  tokens: StepTokens;
}

/**
 * The model calls of one run: picks the provider of each step, bounds every request by the
 * step's `max_tokens` and what is left of `scope.token_allowance`, and reports each call's real
 * usage as `chat.usage_delta` (the run's totals become `chat.usage_summary`). It never decides
 * whether the run may use a model: the scope already says how much.
 */
export class RunModels {
  #allowance: number;
  readonly #totals = { input: 0, output: 0, calls: 0 };
  readonly #models = new Set<string>();

  constructor(
    private readonly claims: ExecutionContext,
    private readonly providers: ModelProviders,
    private readonly emit: (event: UsageEvent) => void,
    private readonly now: () => Date,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.#allowance = claims.scope.token_allowance ?? Number.POSITIVE_INFINITY;
  }

  /** The provider a step runs on; a name that is not configured fails the step. */
  provider(step: ModelStepChoice): ModelProvider {
    const p = this.providers.get(step.provider);
    if (!p) {
      throw new WorkflowStepError(`step '${step.id}': model provider '${step.provider}' is not configured`, {
        reason: "model_provider_not_configured",
      });
    }
    return p;
  }

  /**
   * One model call for `step`, its usage event id `eventId`. `max_tokens` is the step's, lowered
   * to what is left of the allowance; a provider that counts input first (the local model) gets
   * the headroom after the prompt, and under `hard` a prompt that does not fit is never sent.
   */
  async call(
    step: ModelStepChoice,
    messages: ChatMessage[],
    tools: ToolSpec[],
    eventId: string,
  ): Promise<AccountedCall> {
    const provider = this.provider(step);
    const hard = this.claims.scope.token_enforcement === "hard";
    const left = this.#allowance;
    let maxTokens = Math.min(step.max_tokens, left);
    if (provider.countInput) {
      const input = provider.countInput(messages);
      if (hard && input > left) {
        throw new WorkflowStepError(
          `step '${step.id}': the prompt needs ${input} tokens, the run's token allowance has ${left} left`,
          { reason: "token_allowance_exhausted" },
        );
      }
      maxTokens = Math.min(step.max_tokens, Math.max(0, left - input));
    } else if (left <= 0) {
      // Remote input is only counted after the call: an allowance used up stops further calls.
      if (hard) {
        throw new WorkflowStepError(`step '${step.id}': the run's token allowance is used up`, {
          reason: "token_allowance_exhausted",
        });
      }
      maxTokens = 1;
    }
    let r: ModelResponse;
    try {
      r = await provider.complete({
        model: step.model ?? provider.defaultModel,
        messages,
        tools,
        maxTokens,
        signal: this.signal,
      });
    } catch (err) {
      if (isModelError(err)) {
        throw new WorkflowStepError(`step '${step.id}': ${err.message}`, { cause: err, reason: err.reason });
      }
      throw err;
    }
    const tokens = {
      input: r.usage.inputTokens,
      output: r.usage.outputTokens,
      total: r.usage.inputTokens + r.usage.outputTokens,
    };
    this.#allowance = Math.max(0, this.#allowance - tokens.total);
    this.#totals.input += tokens.input;
    this.#totals.output += tokens.output;
    this.#totals.calls += 1;
    this.#models.add(r.model);
    this.emit({
      ...this.#event("chat.usage_delta", eventId, r.model, tokens),
      ...(r.usage.estimated ? { estimated: true } : {}),
    });
    return { ...r, tokens };
  }

  /** The run's `chat.usage_summary`, when any model call was made. */
  summary(eventId: string): UsageEvent | undefined {
    if (this.#totals.calls === 0) return undefined;
    const { input, output } = this.#totals;
    return this.#event("chat.usage_summary", eventId, [...this.#models].join(",").slice(0, 200), {
      input,
      output,
      total: input + output,
    });
  }

  #event(kind: UsageEvent["kind"], eventId: string, model: string, t: StepTokens): UsageEvent {
    return {
      kind,
      event_id: eventId,
      timestamp: this.now().toISOString(),
      app_id: this.claims.app_id,
      user_id: this.claims.user_id,
      workflow_id: this.claims.workflow_id,
      run_id: this.claims.run_id,
      model: model || "unknown",
      input_tokens: t.input,
      output_tokens: t.output,
      total_tokens: t.total,
    };
  }
}
