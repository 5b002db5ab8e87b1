import { EntitlementsResponseSchema, WorkflowRunResponseSchema } from "@mozaiks/contracts";
import { describe, expect, it, onTestFinished } from "vitest";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime } from "../helpers/runtime.js";
import { providersEnv, type TestBundle, writeBundle } from "./fixtures/bundle.js";
import { type ModelScript, startModelServer } from "./fixtures/model-servers.js";
import { threeSteps } from "./fixtures/three-steps.js";
import { runEvents, startRun, syncManifest } from "./helpers.js";

const KEY = "sk-fixture-key-0123456789";
const TEXT = "Mozaiks runs workflows. The engine stays inside the scope.";

const THREE_STEPS = threeSteps(
  {
    model: "fixture-large",
    system: "Answer in one sentence.",
    prompt: "The text has {{steps.count.output.words}} words: {{input.text}}",
    max_tokens: 256,
  },
  { tokens: "{{steps.ask.output.tokens}}" },
);

const PLAN = {
  capabilities: ["cap.workflow.basic", "cap.tool.basic", "cap.tool.word_count"],
  limits: { "cap.limit.tokens_monthly": 10_000 },
  enforcement: { "cap.limit.tokens_monthly": "hard" },
};

async function runtimeWith(
  kind: "openai" | "anthropic",
  script: ModelScript,
  opts: { providers?: Record<string, unknown>; env?: Record<string, string>; bundle?: TestBundle } = {},
) {
  const server = await startModelServer(kind, { apiKey: KEY, ...script });
  onTestFinished(() => server.close());
  const bundle = opts.bundle ?? writeBundle({ three_steps: THREE_STEPS });
  const { app, store } = await buildTestRuntime({
    appPath: bundle.dir,
    env: {
      MOZAIKS_MODEL_PROVIDERS: providersEnv(kind, server.baseUrl, opts.providers),
      FIXTURE_API_KEY: KEY,
      MOZAIKS_RUN_TOKEN_CAP: "100",
      ...opts.env,
    },
  });
  await syncManifest(app, PLAN);
  return { app, store, server };
}

async function run(app: Awaited<ReturnType<typeof runtimeWith>>["app"], input: Record<string, unknown>) {
  const res = await startRun(app, "three_steps", input);
  expect(res.status, await res.clone().text()).toBe(201);
  const { run_id } = WorkflowRunResponseSchema.parse(await res.json());
  return { runId: run_id, events: await runEvents(app, run_id) };
}

async function tokensUsed(app: Awaited<ReturnType<typeof runtimeWith>>["app"]) {
  const ent = EntitlementsResponseSchema.parse(
    await (await app.request("/api/entitlements", { headers: bearer(await signToken()) })).json(),
  );
  return ent.limits["cap.limit.tokens_monthly"]?.used;
}

for (const kind of ["openai", "anthropic"] as const) {
  describe(`workflow runs on a ${kind} provider`, () => {
    for (const stream of [true, false]) {
      it(`runs tool → model → tool end to end (${stream ? "streaming" : "JSON"}): request, events, usage`, async () => {
        const { app, server } = await runtimeWith(
          kind,
          {
            reply: () => ({
              text: "It has nine words.",
              usage: { input: 31, output: 6 },
              model: "fixture-large-0501",
            }),
          },
          { providers: { stream } },
        );
        const { runId, events } = await run(app, { text: TEXT });
        expect(events.map((e) => e.event)).toEqual([
          "orchestration.run_started",
          "orchestration.agent_started",
          "orchestration.agent_started",
          "chat.usage_delta",
          "orchestration.agent_started",
          "chat.usage_summary",
          "orchestration.run_completed",
        ]);
        // The request: the step's model, max_tokens = the run's allowance (100 < the step's 256).
        expect(server.requests).toHaveLength(1);
        const body = server.requests[0]?.body ?? {};
        expect(body).toMatchObject({ model: "fixture-large", max_tokens: 100 });
        expect(JSON.stringify(body)).toContain(`The text has 9 words: ${TEXT}`);
        expect(JSON.stringify(body)).toContain("Answer in one sentence.");
        // Usage: the provider's counts, attributed to the run.
        const usage = { input_tokens: 31, output_tokens: 6, total_tokens: 37 };
        expect(events[3]?.data).toMatchObject({
          event_id: `${runId}.step.ask`,
          model: "fixture-large-0501",
          run_id: runId,
          user_id: "user-1",
          ...usage,
        });
        expect(events[5]?.data).toMatchObject({
          event_id: `${runId}.run_summary`,
          model: "fixture-large-0501",
          ...usage,
        });
        expect(events.at(-1)?.data).toMatchObject({
          status: "completed",
          output: { answer: "It has nine words.", tokens: { input: 31, output: 6, total: 37 } },
        });
        expect(await tokensUsed(app)).toBe(37);
      });
    }

    it("never asks for more than the step's own max_tokens", async () => {
      const bundle = writeBundle({
        three_steps: {
          ...THREE_STEPS,
          steps: THREE_STEPS.steps.map((s) => (s.id === "ask" ? { ...s, max_tokens: 40 } : s)),
        },
      });
      const { app, server } = await runtimeWith(kind, {}, { bundle });
      await run(app, { text: TEXT });
      expect(server.requests[0]?.body.max_tokens).toBe(40);
    });

    it("retries a 429 after its Retry-After and records the one successful call", async () => {
      const { app, server } = await runtimeWith(kind, {
        faults: [{ status: 429, headers: { "retry-after": "1" } }],
        reply: () => ({ text: "ok", usage: { input: 5, output: 1 } }),
      });
      const { events } = await run(app, { text: TEXT });
      expect(events.at(-1)?.data.status).toBe("completed");
      expect(server.requests).toHaveLength(2);
      expect((server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
      expect(events.filter((e) => e.event === "chat.usage_delta")).toHaveLength(1);
      expect(await tokensUsed(app)).toBe(6);
    });

    it("ends the run run_failed (reason model_unavailable) when the provider keeps answering 500", async () => {
      const { app, store, server } = await runtimeWith(kind, { faults: [{ status: 500 }, { status: 500 }] });
      const { runId, events } = await run(app, { text: TEXT });
      expect(server.requests).toHaveLength(2); // retries: 1
      expect(events.map((e) => e.event)).toEqual([
        "orchestration.run_started",
        "orchestration.agent_started",
        "orchestration.agent_started",
        "orchestration.run_failed",
      ]);
      expect(events.at(-1)?.data).toMatchObject({ status: "failed", reason: "model_unavailable" });
      expect(String(events.at(-1)?.data.error)).toContain("step 'ask': model provider 'fixture': HTTP 500");
      expect(store.sqlite.prepare("select status from runs where run_id = ?").get(runId)).toEqual({
        status: "failed",
      });
      expect(await tokensUsed(app)).toBe(0);
    });

    it("ends the run model_timeout on a stalled stream, without retrying it", async () => {
      const { app, server } = await runtimeWith(
        kind,
        { faults: [{ stall: true }] },
        { providers: { timeout_ms: 300 } },
      );
      const { events } = await run(app, { text: TEXT });
      expect(events.at(-1)?.data).toMatchObject({
        kind: "orchestration.run_failed",
        reason: "model_timeout",
      });
      expect(server.requests).toHaveLength(1);
    });

    it("redacts the API key the provider echoes back, in events and in the store", async () => {
      const { app, store } = await runtimeWith(kind, { apiKey: "the-key-the-server-expects" });
      const { runId, events } = await run(app, { text: TEXT });
      const failed = events.at(-1)?.data ?? {};
      expect(failed).toMatchObject({ reason: "model_request_rejected" });
      expect(String(failed.error)).toContain("[redacted]");
      const stored = store.sqlite
        .prepare("select group_concat(payload, '') as p from run_events where run_id = ?")
        .get(runId) as { p: string };
      expect(stored.p).toContain("[redacted]");
      expect(stored.p).not.toContain(KEY);
    });
  });
}

describe("token allowance on a remote provider", () => {
  it("under hard, bounds each request by what is left and refuses a call once it is used up", async () => {
    const server = await startModelServer("openai", {
      apiKey: KEY,
      reply: () => ({ text: "long answer", usage: { input: 30, output: 15 } }),
    });
    onTestFinished(() => server.close());
    const ask = (id: string) => ({ id, kind: "model", prompt: "{{input.text}}", max_tokens: 256 });
    const bundle = writeBundle({
      three_steps: {
        capability: "cap.workflow.basic",
        input: { text: { type: "string" } },
        steps: [ask("a"), ask("b")],
      },
    });
    const { app } = await buildTestRuntime({
      appPath: bundle.dir,
      env: {
        MOZAIKS_MODEL_PROVIDERS: providersEnv("openai", server.baseUrl),
        FIXTURE_API_KEY: KEY,
        MOZAIKS_RUN_TOKEN_CAP: "40",
      },
    });
    await syncManifest(app, PLAN);
    const { events } = await run(app, { text: TEXT });
    // 40 allowed: the first call may answer 40 tokens; it used 45, so the second is never sent.
    expect(server.requests.map((r) => r.body.max_tokens)).toEqual([40]);
    expect(events.at(-1)?.data).toMatchObject({ status: "failed", reason: "token_allowance_exhausted" });
    expect(String(events.at(-1)?.data.error)).toContain("step 'b'");
    expect(await tokensUsed(app)).toBe(45);
  });
});

describe("model provider selection", () => {
  it("uses the bundle's models.yaml default for steps naming no provider", async () => {
    const server = await startModelServer("openai", {
      reply: () => ({ text: "from ollama", usage: { input: 3, output: 2 } }),
    });
    onTestFinished(() => server.close());
    const bundle = writeBundle(
      {
        ask: {
          capability: "cap.workflow.basic",
          steps: [{ id: "ask", kind: "model", prompt: "{{input.q}}" }],
          output: "{{steps.ask.output.text}}",
        },
      },
      {
        schema_version: "mozaiks.models.v1",
        default: "ollama",
        providers: [{ name: "ollama", kind: "openai", base_url: server.baseUrl, model: "llama3.2" }],
      },
    );
    const { app } = await buildTestRuntime({ appPath: bundle.dir });
    const res = await startRun(app, "ask", { q: "Hi?" });
    const { run_id } = WorkflowRunResponseSchema.parse(await res.json());
    const events = await runEvents(app, run_id);
    expect(events.at(-1)?.data).toMatchObject({ status: "completed", output: "from ollama" });
    expect(server.requests[0]?.body).toMatchObject({ model: "llama3.2", max_tokens: 256 });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("skips at start a workflow naming a provider that is not configured", async () => {
    const bundle = writeBundle({
      remote: {
        capability: "cap.workflow.basic",
        steps: [{ id: "ask", kind: "model", provider: "openai", prompt: "x" }],
      },
    });
    const { app } = await buildTestRuntime({ appPath: bundle.dir });
    expect(app.runtime.workflows.errors).toEqual([
      {
        name: "remote",
        message: expect.stringContaining(
          "$.steps[0].provider: no model provider 'openai' (configured: local)",
        ),
      },
    ]);
    expect((await startRun(app, "remote", {})).status).toBe(404);
  });

  it("refuses to start with an invalid MOZAIKS_MODEL_PROVIDERS, naming the problem", async () => {
    const bundle = writeBundle({});
    const { app } = await buildTestRuntime({
      appPath: bundle.dir,
      start: false,
      env: { MOZAIKS_MODEL_PROVIDERS: providersEnv("openai", "http://127.0.0.1:1/v1") },
    });
    await expect(app.runtime.start()).rejects.toThrow(
      "MOZAIKS_MODEL_PROVIDERS: $.providers[0].api_key_env: the variable FIXTURE_API_KEY is not set",
    );
  });
});
