import type { ModelProviderKind } from "@mozaiks/contracts";

/** A tool the model may call: a plugin, described by name, text and a JSON Schema of its arguments. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A tool call the model asked for. `arguments` is the parsed JSON (undefined when it was not JSON). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

/** One message of a conversation, in the engine's own terms (each provider maps it to its wire format). */
export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; name: string; content: string; isError: boolean };

/** One model call. */
export interface ModelRequest {
  model: string;
  messages: ChatMessage[];
  /** Offered tools; empty: the model must answer in text. */
  tools: ToolSpec[];
  /** Upper bound on output tokens (the step's `max_tokens`, lowered by the run's token allowance). */
  maxTokens: number;
  /** Aborted when the run is cancelled. */
  signal?: AbortSignal | undefined;
  /** Text deltas as they stream in (only providers that stream call it). */
  onText?: ((delta: string) => void) | undefined;
}

/** Token counts as the provider reported them; `estimated` when it reported none. */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  estimated: boolean;
}

/** What one model call returned. */
export interface ModelResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: ModelUsage;
  /** The model that answered, as the provider names it (else the requested one). */
  model: string;
  /** The provider's stop reason (`stop`, `end_turn`, `tool_calls`, `length`, …), when given. */
  stopReason: string | null;
}

/**
 * A model provider: chat messages in; text, tool calls and usage out. Providers never see
 * launch tokens or entitlements; the engine hands them a request already bounded by the scope.
 */
export interface ModelProvider {
  readonly name: string;
  readonly kind: ModelProviderKind | "local";
  /** Model used when a step names none. */
  readonly defaultModel: string;
  /**
   * Input tokens of `messages` before the call, for providers that can count them exactly (the
   * local model): a prompt that cannot fit a `hard` allowance is then never sent.
   */
  countInput?(messages: ChatMessage[]): number;
  complete(request: ModelRequest): Promise<ModelResponse>;
}

/** Rough token estimate (4 characters a token) for providers that report no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
