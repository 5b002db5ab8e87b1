import { ModelError } from "../errors.js";
import { badResponse } from "../http.js";
import { readSse } from "../sse.js";
import type { ChatMessage, ModelRequest, ModelResponse, ToolCall } from "../types.js";
import { HttpModelProvider, parseArguments, type WireAnswer } from "./http-provider.js";

/** `anthropic-version` header the requests are written for. */
export const ANTHROPIC_VERSION = "2023-06-01";

type Block = Record<string, unknown>;
type WireMessage = { role: "user" | "assistant"; content: string | Block[] };

/** System text apart; tool results folded into user turns (consecutive ones into one turn). */
function toWire(messages: ChatMessage[]): { system: string; messages: WireMessage[] } {
  const system: string[] = [];
  const out: WireMessage[] = [];
  const push = (role: WireMessage["role"], blocks: Block[]) => {
    const last = out.at(-1);
    if (last?.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === "system") system.push(m.content);
    else if (m.role === "user") push("user", [{ type: "text", text: m.content }]);
    else if (m.role === "tool") {
      push("user", [
        {
          type: "tool_result",
          tool_use_id: m.toolCallId,
          content: m.content,
          ...(m.isError ? { is_error: true } : {}),
        },
      ]);
    } else {
      const blocks: Block[] = m.content === "" ? [] : [{ type: "text", text: m.content }];
      for (const c of m.toolCalls ?? [])
        blocks.push({ type: "tool_use", id: c.id, name: c.name, input: c.arguments ?? {} });
      push("assistant", blocks);
    }
  }
  return { system: system.join("\n\n"), messages: out };
}

interface WireUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Input tokens include cache writes and reads: all are billed input. */
function inputOf(u: WireUsage | undefined): number | undefined {
  if (typeof u?.input_tokens !== "number") return undefined;
  return u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
}

function readJson(body: unknown): WireAnswer {
  const b = body as {
    type?: string;
    model?: string;
    content?: Array<{ type?: string; text?: string; id?: string; name?: string; input?: unknown }>;
    stop_reason?: string | null;
    usage?: WireUsage;
  };
  if (!Array.isArray(b?.content)) throw badResponse("the answer has no content blocks");
  let text = "";
  const toolCalls: ToolCall[] = [];
  for (const block of b.content) {
    if (block.type === "text") text += block.text ?? "";
    else if (block.type === "tool_use") {
      toolCalls.push({
        id: block.id ?? `toolu_${toolCalls.length}`,
        name: block.name ?? "",
        arguments: block.input ?? {},
      });
    }
  }
  return {
    text,
    toolCalls,
    usage: { input: inputOf(b.usage), output: b.usage?.output_tokens },
    model: b.model,
    stopReason: b.stop_reason ?? null,
  };
}

async function readStream(body: ReadableStream<Uint8Array>, req: ModelRequest): Promise<WireAnswer> {
  const usage: NonNullable<WireAnswer["usage"]> = { input: undefined, output: undefined };
  const a: WireAnswer = { text: "", toolCalls: [], usage, model: undefined, stopReason: null };
  const blocks = new Map<number, { type: string; id: string; name: string; json: string }>();
  let stopped = false;
  for await (const e of readSse(body)) {
    const data = JSON.parse(e.data) as {
      type?: string;
      index?: number;
      message?: { model?: string; usage?: WireUsage };
      content_block?: { type?: string; id?: string; name?: string; text?: string };
      delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
      usage?: WireUsage;
      error?: { type?: string; message?: string };
    };
    const type = data.type ?? e.event;
    if (type === "error") {
      const reason = data.error?.type === "rate_limit_error" ? "model_rate_limited" : "model_unavailable";
      throw new ModelError(
        reason,
        `error in the stream: ${data.error?.message ?? data.error?.type ?? "unknown"}`,
      );
    }
    if (type === "message_start") {
      a.model = data.message?.model;
      usage.input = inputOf(data.message?.usage);
      usage.output = data.message?.usage?.output_tokens;
    } else if (type === "content_block_start" && data.content_block) {
      const cb = data.content_block;
      blocks.set(data.index ?? blocks.size, {
        type: cb.type ?? "",
        id: cb.id ?? "",
        name: cb.name ?? "",
        json: "",
      });
      if (cb.type === "text" && cb.text) a.text += cb.text;
    } else if (type === "content_block_delta" && data.delta) {
      const block = blocks.get(data.index ?? -1);
      if (data.delta.type === "text_delta" && data.delta.text) {
        a.text += data.delta.text;
        req.onText?.(data.delta.text);
      } else if (data.delta.type === "input_json_delta" && block) block.json += data.delta.partial_json ?? "";
    } else if (type === "message_delta") {
      if (data.delta?.stop_reason) a.stopReason = data.delta.stop_reason;
      // Cumulative counts: the last message_delta holds the final ones.
      if (typeof data.usage?.output_tokens === "number") usage.output = data.usage.output_tokens;
      const input = inputOf(data.usage);
      if (input !== undefined) usage.input = input;
    } else if (type === "message_stop") {
      stopped = true;
      break;
    }
  }
  if (!stopped) throw badResponse("the stream ended before message_stop");
  for (const [i, b] of [...blocks.entries()].sort(([x], [y]) => x - y)) {
    if (b.type === "tool_use")
      a.toolCalls.push({ id: b.id || `toolu_${i}`, name: b.name, arguments: parseArguments(b.json) });
  }
  return a;
}

/**
 * The Anthropic messages protocol (`POST <base_url>/v1/messages`, `x-api-key`,
 * `anthropic-version`): system text as `system`, tools as `input_schema` tools, tool results as
 * `tool_result` blocks; streams by default, with usage from `message_start` / `message_delta`.
 */
export class AnthropicProvider extends HttpModelProvider {
  readonly kind = "anthropic" as const;

  async complete(req: ModelRequest): Promise<ModelResponse> {
    const wire = toWire(req.messages);
    const body: Record<string, unknown> = {
      model: req.model,
      max_tokens: req.maxTokens,
      messages: wire.messages,
    };
    if (wire.system !== "") body.system = wire.system;
    if (req.tools.length > 0) {
      body.tools = req.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: t.parameters,
      }));
    }
    if (this.streams) body.stream = true;
    return this.send(req, "/v1/messages", { "anthropic-version": ANTHROPIC_VERSION }, body, {
      stream: readStream,
      json: readJson,
    });
  }

  protected keyHeaders(key: string): Record<string, string> {
    return { "x-api-key": key };
  }
}
