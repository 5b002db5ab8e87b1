import type { ModelProviderConfig } from "@mozaiks/contracts";
import { postWithRetries } from "../http.js";
import {
  estimateTokens,
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
  type ModelUsage,
  type ToolCall,
} from "../types.js";

/** What a protocol reads from one answer, streamed or not. */
export interface WireAnswer {
  text: string;
  toolCalls: ToolCall[];
  /** The provider's own token counts, as far as it reported them. */
  usage: { input?: number | undefined; output?: number | undefined } | undefined;
  model: string | undefined;
  stopReason: string | null;
}

/** How a protocol reads an answer: a `text/event-stream` body, or a JSON one. */
export interface WireReaders {
  stream(body: ReadableStream<Uint8Array>, req: ModelRequest): Promise<WireAnswer>;
  json(body: unknown): WireAnswer;
}

/**
 * What the HTTP protocols share: their config and API key, and sending one request with
 * retries ({@link postWithRetries}) whose answer is read as it came (some servers answer JSON
 * even when asked to stream). A protocol builds its body and headers and reads its answers.
 */
export abstract class HttpModelProvider implements ModelProvider {
  abstract readonly kind: "openai" | "anthropic";
  readonly name: string;
  readonly defaultModel: string;
  // Private, not protected: neither shows when a provider is logged or inspected.
  readonly #config: ModelProviderConfig;
  readonly #key: string | undefined;

  constructor(config: ModelProviderConfig, apiKey: string | undefined) {
    this.#config = config;
    this.#key = apiKey;
    this.name = config.name;
    this.defaultModel = config.model;
  }

  /** Whether requests ask for a streamed answer (the config's `stream`). */
  protected get streams(): boolean {
    return this.#config.stream;
  }

  abstract complete(req: ModelRequest): Promise<ModelResponse>;

  /** The headers that carry the API key (called only when there is one). */
  protected abstract keyHeaders(key: string): Record<string, string>;

  /** POSTs `body` to `<base_url><path>` with the protocol's `headers` and reads the answer. */
  protected send(
    req: ModelRequest,
    path: string,
    headers: Record<string, string>,
    body: Record<string, unknown>,
    read: WireReaders,
  ): Promise<ModelResponse> {
    const all: Record<string, string> = {
      "content-type": "application/json",
      accept: this.#config.stream ? "text/event-stream" : "application/json",
      ...headers,
      ...(this.#key ? this.keyHeaders(this.#key) : {}),
    };
    const url = `${this.#config.base_url.replace(/\/+$/, "")}${path}`;
    const prompt = req.messages.map((m) => m.content).join("\n");
    return postWithRetries(
      {
        provider: this.name,
        retries: this.#config.retries,
        timeoutMs: this.#config.timeout_ms,
        secrets: this.#key ? [this.#key] : [],
      },
      url,
      { headers: all, body: JSON.stringify(body), signal: req.signal },
      async (res) => {
        const sse = (res.headers.get("content-type") ?? "").includes("text/event-stream");
        const a = sse && res.body ? await read.stream(res.body, req) : read.json(await res.json());
        return {
          text: a.text,
          toolCalls: a.toolCalls,
          usage: usageOf(a.usage, prompt, a.text, a.toolCalls),
          model: a.model ?? req.model,
          stopReason: a.stopReason,
        };
      },
    );
  }
}

/** Tool-call arguments as JSON: `""` is `{}`, text that is not JSON is undefined (the agent reports it). */
export function parseArguments(raw: string): unknown {
  if (raw.trim() === "") return {};
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * The provider's counts when it reported both, else an estimate from the texts (flagged
 * `estimated`, so the ledger's numbers are never mistaken for the provider's).
 */
function usageOf(wire: WireAnswer["usage"], prompt: string, text: string, toolCalls: ToolCall[]): ModelUsage {
  const ok = (n: number | undefined): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
  if (wire && ok(wire.input) && ok(wire.output)) {
    return { inputTokens: wire.input, outputTokens: wire.output, estimated: false };
  }
  const out = text + toolCalls.map((c) => c.name + JSON.stringify(c.arguments ?? {})).join("");
  return { inputTokens: estimateTokens(prompt), outputTokens: estimateTokens(out), estimated: true };
}
