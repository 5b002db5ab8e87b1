import { LOCAL_PROVIDER } from "@mozaiks/contracts";
import { countTokens, LOCAL_MODEL, summarize } from "../../workflows/local-model.js";
import type { ChatMessage, ModelProvider, ModelRequest, ModelResponse } from "../types.js";

/**
 * The built-in offline model (`mozaiks-local-extractive`) as a provider: no network, no key,
 * deterministic. It answers with the leading sentences of the last user message that fit in
 * `maxTokens`, counts every message's words as input, ignores `model` and never calls tools.
 */
export class LocalModelProvider implements ModelProvider {
  readonly name = LOCAL_PROVIDER;
  readonly kind = "local" as const;
  readonly defaultModel = LOCAL_MODEL;

  countInput(messages: ChatMessage[]): number {
    return messages.reduce((n, m) => n + countTokens(m.content), 0);
  }

  async complete(req: ModelRequest): Promise<ModelResponse> {
    const last = [...req.messages].reverse().find((m) => m.role === "user");
    const out = summarize(last?.content ?? "", req.maxTokens);
    return {
      text: out.text,
      toolCalls: [],
      usage: { inputTokens: this.countInput(req.messages), outputTokens: out.outputTokens, estimated: false },
      model: LOCAL_MODEL,
      stopReason: "stop",
    };
  }
}
