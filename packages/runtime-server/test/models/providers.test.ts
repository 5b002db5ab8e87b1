import { inspect } from "node:util";
import { type ModelProviderConfig, ModelProviderConfigSchema } from "@mozaiks/contracts";
import { afterEach, describe, expect, it } from "vitest";
import {
  AnthropicProvider,
  type ChatMessage,
  isModelError,
  type ModelProvider,
  OpenAiCompatibleProvider,
  retryAfterMs,
} from "../../src/engine/models/index.js";
import { type ModelScript, type ModelServer, startModelServer } from "../workflows/fixtures/model-servers.js";

type Protocol = "openai" | "anthropic";
const KEY = "sk-test-0123456789abcdef";
const servers: ModelServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function setup(protocol: Protocol, script: ModelScript = {}, over: Partial<ModelProviderConfig> = {}) {
  const server = await startModelServer(protocol, { apiKey: KEY, ...script });
  servers.push(server);
  const config = ModelProviderConfigSchema.parse({
    name: `fixture-${protocol}`,
    kind: protocol,
    base_url: server.baseUrl,
    model: "fixture-model",
    timeout_ms: 2_000,
    retries: 2,
    ...over,
  });
  const provider: ModelProvider =
    protocol === "openai" ? new OpenAiCompatibleProvider(config, KEY) : new AnthropicProvider(config, KEY);
  return { server, provider };
}

const MESSAGES: ChatMessage[] = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Count the words of: one two three" },
];
const TOOLS = [
  {
    name: "word_count",
    description: "Counts words.",
    parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  },
];

async function failure(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isModelError(err)) throw new Error(`expected a ModelError, got ${String(err)}`);
  return err;
}

for (const protocol of ["openai", "anthropic"] as const) {
  for (const stream of [true, false]) {
    describe(`${protocol} provider (${stream ? "streaming" : "JSON"})`, () => {
      it("sends model, max_tokens, system, messages and tools in the protocol's shape, with the key", async () => {
        const { server, provider } = await setup(protocol, {}, { stream });
        await provider.complete({ model: "m-1", messages: MESSAGES, tools: TOOLS, maxTokens: 77 });
        const [req] = server.requests;
        expect(req?.body).toMatchObject({ model: "m-1", max_tokens: 77 });
        if (stream) expect(req?.body.stream).toBe(true);
        else expect(req?.body.stream).toBeUndefined();
        if (protocol === "openai") {
          expect(req?.path).toBe("/v1/chat/completions");
          expect(req?.headers.authorization).toBe(`Bearer ${KEY}`);
          expect(req?.body.messages).toEqual([
            { role: "system", content: "Be brief." },
            { role: "user", content: "Count the words of: one two three" },
          ]);
          expect(req?.body.tools).toEqual([{ type: "function", function: TOOLS[0] }]);
          if (stream) expect(req?.body.stream_options).toEqual({ include_usage: true });
        } else {
          expect(req?.path).toBe("/v1/messages");
          expect(req?.headers["x-api-key"]).toBe(KEY);
          expect(req?.headers["anthropic-version"]).toBe("2023-06-01");
          expect(req?.body.system).toBe("Be brief.");
          expect(req?.body.messages).toEqual([
            { role: "user", content: [{ type: "text", text: "Count the words of: one two three" }] },
          ]);
          expect(req?.body.tools).toEqual([
            { name: "word_count", description: "Counts words.", input_schema: TOOLS[0]?.parameters },
          ]);
        }
      });

      it("reads text, the answering model and the provider's usage counts", async () => {
        const deltas: string[] = [];
        const { provider } = await setup(
          protocol,
          {
            reply: () => ({
              text: "Three words, I counted.",
              usage: { input: 42, output: 7 },
              model: "m-1-2025",
            }),
          },
          { stream },
        );
        const r = await provider.complete({
          model: "m-1",
          messages: MESSAGES,
          tools: [],
          maxTokens: 50,
          onText: (d) => deltas.push(d),
        });
        expect(r).toMatchObject({
          text: "Three words, I counted.",
          toolCalls: [],
          model: "m-1-2025",
          usage: { inputTokens: 42, outputTokens: 7, estimated: false },
        });
        if (stream) expect(deltas.join("")).toBe("Three words, I counted.");
      });

      it("reads tool calls (arguments streamed in pieces) and sends results back in the protocol's shape", async () => {
        const { server, provider } = await setup(
          protocol,
          {
            reply: (_b, n) =>
              n === 0
                ? {
                    toolCalls: [{ id: "call-a", name: "word_count", arguments: { text: "one two three" } }],
                    usage: { input: 30, output: 12 },
                  }
                : { text: "3", usage: { input: 50, output: 1 } },
          },
          { stream },
        );
        const first = await provider.complete({
          model: "m",
          messages: MESSAGES,
          tools: TOOLS,
          maxTokens: 50,
        });
        expect(first.toolCalls).toEqual([
          { id: "call-a", name: "word_count", arguments: { text: "one two three" } },
        ]);
        expect(first.stopReason).toBe(protocol === "openai" ? "tool_calls" : "tool_use");
        await provider.complete({
          model: "m",
          messages: [
            ...MESSAGES,
            { role: "assistant", content: "", toolCalls: first.toolCalls },
            {
              role: "tool",
              toolCallId: "call-a",
              name: "word_count",
              content: '{"words":3}',
              isError: false,
            },
          ],
          tools: TOOLS,
          maxTokens: 50,
        });
        const sent = server.requests[1]?.body.messages as unknown[];
        if (protocol === "openai") {
          expect(sent.slice(2)).toEqual([
            {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  id: "call-a",
                  type: "function",
                  function: { name: "word_count", arguments: '{"text":"one two three"}' },
                },
              ],
            },
            { role: "tool", tool_call_id: "call-a", content: '{"words":3}' },
          ]);
        } else {
          expect(sent.slice(1)).toEqual([
            {
              role: "assistant",
              content: [
                { type: "tool_use", id: "call-a", name: "word_count", input: { text: "one two three" } },
              ],
            },
            {
              role: "user",
              content: [{ type: "tool_result", tool_use_id: "call-a", content: '{"words":3}' }],
            },
          ]);
        }
      });

      it("waits for Retry-After on a 429, then succeeds", async () => {
        const { server, provider } = await setup(
          protocol,
          { faults: [{ status: 429, headers: { "retry-after": "1" } }] },
          { stream },
        );
        const r = await provider.complete({ model: "m", messages: MESSAGES, tools: [], maxTokens: 5 });
        expect(r.text).toBe("Hello from the fixture.");
        expect(server.requests).toHaveLength(2);
        const [a, b] = server.requests;
        expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(950);
      });

      it("retries a 500 with backoff; a 500 on every attempt fails model_unavailable after retries + 1", async () => {
        const once = await setup(protocol, { faults: [{ status: 500 }] }, { stream });
        await once.provider.complete({ model: "m", messages: MESSAGES, tools: [], maxTokens: 5 });
        expect(once.server.requests).toHaveLength(2);

        const always = await setup(
          protocol,
          { faults: [{ status: 500 }, { status: 502 }, { status: 503 }] },
          { stream },
        );
        const err = await failure(
          always.provider.complete({ model: "m", messages: MESSAGES, tools: [], maxTokens: 5 }),
        );
        expect(err.reason).toBe("model_unavailable");
        expect(err.message).toContain("HTTP 503");
        expect(always.server.requests).toHaveLength(3);
      });

      it("fails model_rate_limited when the provider asks to wait longer than the engine waits", async () => {
        const { server, provider } = await setup(
          protocol,
          { faults: [{ status: 429, headers: { "retry-after": "3600" } }] },
          { stream },
        );
        const err = await failure(
          provider.complete({ model: "m", messages: MESSAGES, tools: [], maxTokens: 5 }),
        );
        expect(err.reason).toBe("model_rate_limited");
        expect(err.message).toContain("retry after 3600 s");
        expect(server.requests).toHaveLength(1);
      });

      it("rejects a 401 at once (no retry) and never repeats the key the provider echoed", async () => {
        const server = await startModelServer(protocol, { apiKey: "another-key-entirely" });
        servers.push(server);
        const config = ModelProviderConfigSchema.parse({
          name: "p",
          kind: protocol,
          base_url: server.baseUrl,
          model: "m",
          stream,
        });
        const provider =
          protocol === "openai"
            ? new OpenAiCompatibleProvider(config, KEY)
            : new AnthropicProvider(config, KEY);
        const err = await failure(
          provider.complete({ model: "m", messages: MESSAGES, tools: [], maxTokens: 5 }),
        );
        expect(err.reason).toBe("model_request_rejected");
        expect(err.message).toContain("HTTP 401");
        expect(err.message).toContain("[redacted]");
        expect(err.message).not.toContain(KEY);
        expect(server.requests).toHaveLength(1);
      });

      it("fails model_timeout on a stalled answer, without retrying it", async () => {
        const { server, provider } = await setup(
          protocol,
          { faults: [{ stall: true }] },
          { stream, timeout_ms: 300 },
        );
        const err = await failure(
          provider.complete({ model: "m", messages: MESSAGES, tools: [], maxTokens: 5 }),
        );
        expect(err.reason).toBe("model_timeout");
        expect(err.message).toContain("300 ms");
        expect(server.requests).toHaveLength(1);
      });

      it("fails model_bad_response on an answer cut short", async () => {
        const { provider } = await setup(protocol, { faults: [{ cut: true }] }, { stream });
        const err = await failure(
          provider.complete({ model: "m", messages: MESSAGES, tools: [], maxTokens: 5 }),
        );
        expect(err.reason).toBe("model_bad_response");
      });

      it("aborts the request when the run is cancelled", async () => {
        const { server, provider } = await setup(
          protocol,
          { faults: [{ stall: true }] },
          { stream, timeout_ms: 30_000 },
        );
        const abort = new AbortController();
        const p = provider.complete({
          model: "m",
          messages: MESSAGES,
          tools: [],
          maxTokens: 5,
          signal: abort.signal,
        });
        while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
        abort.abort(new Error("stop"));
        const err = await failure(p);
        expect(err.reason).toBe("cancelled");
        await expect.poll(() => server.aborted).toBe(1);
      });
    });
  }

  it(`${protocol}: estimates usage (flagged) when the provider reports none`, async () => {
    const { provider } = await setup(protocol, { reply: () => ({ text: "four chars" }) }, { stream: false });
    const r = await provider.complete({ model: "m", messages: MESSAGES, tools: [], maxTokens: 5 });
    expect(r.usage.estimated).toBe(protocol === "openai");
  });

  it(`${protocol}: never shows the key when the provider is logged or serialized`, async () => {
    const { provider } = await setup(protocol);
    expect(inspect(provider, { depth: 10, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(provider)).not.toContain(KEY);
  });
}

describe("Retry-After", () => {
  it("reads retry-after-ms, seconds and HTTP dates", () => {
    const now = Date.parse("2026-03-15T12:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after-ms": "250" }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ "retry-after": "Sun, 15 Mar 2026 12:00:05 GMT" }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});
