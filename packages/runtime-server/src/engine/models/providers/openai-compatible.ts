import { ModelError } from "../errors.js";
import { badResponse } from "../http.js";
import { readSse } from "../sse.js";
import type { ChatMessage, ModelRequest, ModelResponse } from "../types.js";
import { HttpModelProvider, parseArguments, type WireAnswer } from "./http-provider.js";

type WireMessage = Record<string, unknown>;

function toWire(messages: ChatMessage[]): WireMessage[] {
  return messages.map((m) => {
    if (m.role === "tool") return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
    if (m.role === "assistant" && m.toolCalls?.length) {
      return {
        role: "assistant",
        content: m.content === "" ? null : m.content,
        tool_calls: m.toolCalls.map((c) => ({
          id: c.id,
          type: "function",
          function: { name: c.name, arguments: JSON.stringify(c.arguments ?? {}) },
        })),
      };
    }
    return { role: m.role, content: m.content };
  });
}

interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

interface WireToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/**
 * The OpenAI chat-completions protocol (`POST <base_url>/chat/completions`), which OpenAI,
 * vLLM, Ollama, LM Studio, llama.cpp's server, OpenRouter and most gateways speak. Streams by
 * default (`stream_options.include_usage` for the usage chunk); `max_tokens` is the request's
 * bound; tools are `function` tools.
 */
export class OpenAiCompatibleProvider extends HttpModelProvider {
  readonly kind = "openai" as const;

  async complete(req: ModelRequest): Promise<ModelResponse> {
    const body: Record<string, unknown> = {
      model: req.model,
      messages: toWire(req.messages),
      max_tokens: req.maxTokens,
    };
    if (req.tools.length > 0) {
      body.tools = req.tools.map((t) => ({
        type: "function",
        function: { name: t.name, description: t.description, parameters: t.parameters },
      }));
    }
    if (this.streams) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
    return this.send(req, "/chat/completions", {}, body, { stream: readStream, json: readJson });
  }

  protected keyHeaders(key: string): Record<string, string> {
    return { authorization: `Bearer ${key}` };
  }
}

function wireUsage(u: WireUsage | null | undefined): WireAnswer["usage"] {
  return u ? { input: u.prompt_tokens, output: u.completion_tokens } : undefined;
}

function readJson(body: unknown): WireAnswer {
  const b = body as {
    model?: string;
    choices?: Array<{
      message?: { content?: string | null; tool_calls?: WireToolCall[] };
      finish_reason?: string | null;
    }>;
    usage?: WireUsage;
  };
  const choice = b?.choices?.[0];
  if (!choice?.message) throw badResponse("the answer has no choices[0].message");
  return {
    text: choice.message.content ?? "",
    toolCalls: (choice.message.tool_calls ?? []).map((c, i) => ({
      id: c.id ?? `call_${i}`,
      name: c.function?.name ?? "",
      arguments: parseArguments(c.function?.arguments ?? ""),
    })),
    usage: wireUsage(b.usage),
    model: b.model,
    stopReason: choice.finish_reason ?? null,
  };
}

async function readStream(body: ReadableStream<Uint8Array>, req: ModelRequest): Promise<WireAnswer> {
  let text = "";
  let model: string | undefined;
  let stopReason: string | null = null;
  let usage: WireAnswer["usage"];
  const calls = new Map<number, { id: string; name: string; args: string }>();
  let done = false;
  for await (const e of readSse(body)) {
    if (e.data === "[DONE]") {
      done = true;
      break;
    }
    const chunk = JSON.parse(e.data) as {
      model?: string;
      error?: { message?: string };
      choices?: Array<{
        delta?: { content?: string | null; tool_calls?: WireToolCall[] };
        finish_reason?: string | null;
      }>;
      usage?: WireUsage | null;
    };
    if (chunk.error) {
      throw new ModelError("model_unavailable", `error in the stream: ${chunk.error.message ?? "unknown"}`);
    }
    model ??= chunk.model;
    if (chunk.usage) usage = wireUsage(chunk.usage);
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta;
      if (delta?.content) {
        text += delta.content;
        req.onText?.(delta.content);
      }
      for (const c of delta?.tool_calls ?? []) {
        const i = c.index ?? calls.size;
        const call = calls.get(i) ?? { id: "", name: "", args: "" };
        if (c.id) call.id = c.id;
        if (c.function?.name) call.name += c.function.name;
        if (c.function?.arguments) call.args += c.function.arguments;
        calls.set(i, call);
      }
      if (choice.finish_reason) stopReason = choice.finish_reason;
    }
  }
  if (!done && stopReason === null) throw badResponse("the stream ended before the answer was complete");
  const toolCalls = [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([i, c]) => ({ id: c.id || `call_${i}`, name: c.name, arguments: parseArguments(c.args) }));
  return { text, toolCalls, usage, model, stopReason };
}
