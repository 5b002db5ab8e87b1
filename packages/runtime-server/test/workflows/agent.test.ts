import {
  EntitlementsResponseSchema,
  ExecutionContextSchema,
  WorkflowRunResponseSchema,
} from "@mozaiks/contracts";
import { decodeJwt } from "jose";
import { describe, expect, it, onTestFinished } from "vitest";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime } from "../helpers/runtime.js";
import { providersEnv, writeBundle } from "./fixtures/bundle.js";
import { type ModelScript, startModelServer, type Turn } from "./fixtures/model-servers.js";
import { runEvents, startRun, syncManifest } from "./helpers.js";

const KEY = "sk-agent-fixture-0123456789";

/** An agent that may count words and export reports; the test plans grant only word_count. */
function assistant(over: Record<string, unknown> = {}) {
  return {
    capability: "cap.workflow.basic",
    input: { question: { type: "string" } },
    steps: [
      {
        id: "helper",
        kind: "agent",
        system: "You answer questions about texts. Use tools when they help.",
        input: "{{input.question}}",
        tools: [
          {
            tool: "word_count",
            description: "Counts the words of `text`.",
            parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
          },
          "report_export",
        ],
        ...over,
      },
    ],
    output: "{{steps.helper.output}}",
  };
}

const PLAN = {
  capabilities: ["cap.workflow.basic", "cap.tool.word_count"],
  limits: { "cap.limit.plugin_calls_daily": 50 },
};

async function agentRun(
  kind: "openai" | "anthropic",
  script: ModelScript,
  opts: { def?: Record<string, unknown>; plan?: Record<string, unknown> } = {},
) {
  const server = await startModelServer(kind, { apiKey: KEY, ...script });
  onTestFinished(() => server.close());
  const bundle = writeBundle({ assistant: opts.def ?? assistant() });
  const { app } = await buildTestRuntime({
    appPath: bundle.dir,
    env: { MOZAIKS_MODEL_PROVIDERS: providersEnv(kind, server.baseUrl), FIXTURE_API_KEY: KEY },
  });
  await syncManifest(app, opts.plan ?? PLAN);
  const res = await startRun(app, "assistant", { question: "How many words are in 'one two three'?" });
  expect(res.status, await res.clone().text()).toBe(201);
  const launched = WorkflowRunResponseSchema.parse(await res.json());
  const events = await runEvents(app, launched.run_id);
  const claims = ExecutionContextSchema.parse(decodeJwt(launched.launch_token));
  return { app, server, events, claims, runId: launched.run_id, kinds: events.map((e) => e.event) };
}

async function pluginCallsUsed(app: Awaited<ReturnType<typeof agentRun>>["app"]) {
  const ent = EntitlementsResponseSchema.parse(
    await (await app.request("/api/entitlements", { headers: bearer(await signToken()) })).json(),
  );
  return ent.limits["cap.limit.plugin_calls_daily"]?.used;
}

/** The tool names offered in a recorded request, for either protocol. */
function offered(body: Record<string, unknown>): string[] {
  const tools = (body.tools ?? []) as Array<{ name?: string; function?: { name: string } }>;
  return tools.map((t) => t.function?.name ?? t.name ?? "");
}

/** The tool results a request carries back to the model, for either protocol. */
function toolResults(body: Record<string, unknown>): Array<{ id: string; content: string; error: boolean }> {
  const out: Array<{ id: string; content: string; error: boolean }> = [];
  for (const m of body.messages as Array<Record<string, unknown>>) {
    if (m.role === "tool") out.push({ id: String(m.tool_call_id), content: String(m.content), error: false });
    if (Array.isArray(m.content)) {
      for (const b of m.content as Array<Record<string, unknown>>) {
        if (b.type === "tool_result")
          out.push({ id: String(b.tool_use_id), content: String(b.content), error: b.is_error === true });
      }
    }
  }
  return out;
}

const askBoth: Turn = {
  toolCalls: [
    { id: "c1", name: "word_count", arguments: { text: "one two three" } },
    { id: "c2", name: "report_export", arguments: { rows: [{ a: 1 }] } },
  ],
  usage: { input: 120, output: 30 },
};
const answer: Turn = { text: "It has 3 words.", usage: { input: 200, output: 8 } };

for (const kind of ["openai", "anthropic"] as const) {
  describe(`agent steps on a ${kind} provider`, () => {
    it("loops model → tools → model; a tool the plan does not grant is refused, the model told, the run goes on", async () => {
      const { app, server, events, claims, runId, kinds } = await agentRun(kind, {
        reply: (_b, n) => (n === 0 ? askBoth : answer),
      });
      // report_export is listed but not granted: it is not in the scope, and never offered.
      expect(claims.scope.tools).toEqual(["cap.tool.word_count"]);
      expect(server.requests).toHaveLength(2);
      expect(offered(server.requests[0]?.body ?? {})).toEqual(["word_count"]);
      expect(JSON.stringify(server.requests[0]?.body)).toContain("Counts the words of `text`.");

      // The second request carries both results: the count, and the refusal as a tool error.
      const results = toolResults(server.requests[1]?.body ?? {});
      expect(results.map((r) => r.id)).toEqual(["c1", "c2"]);
      expect(JSON.parse(results[0]?.content ?? "{}")).toMatchObject({ words: 3 });
      expect(results[1]?.content).toContain("cap.tool.report_export is not in the launch scope");
      if (kind === "anthropic") expect(results.map((r) => r.error)).toEqual([false, true]);

      expect(kinds).toEqual([
        "orchestration.run_started",
        "orchestration.agent_started",
        "chat.usage_delta",
        "orchestration.tool_call",
        "orchestration.tool_call",
        "chat.usage_delta",
        "chat.usage_summary",
        "orchestration.run_completed",
      ]);
      expect(events[1]?.data).toMatchObject({ agent: "helper" });
      expect(events[3]?.data).toMatchObject({ agent: "helper", tool: "word_count", outcome: "completed" });
      expect(events[4]?.data).toMatchObject({
        agent: "helper",
        tool: "report_export",
        outcome: "refused",
        reason: "tool_not_in_scope",
      });
      expect(events[2]?.data).toMatchObject({
        event_id: `${runId}.step.helper.call.1`,
        input_tokens: 120,
        output_tokens: 30,
      });
      expect(events[5]?.data).toMatchObject({
        event_id: `${runId}.step.helper.call.2`,
        input_tokens: 200,
        output_tokens: 8,
      });
      expect(events[6]?.data).toMatchObject({ input_tokens: 320, output_tokens: 38, total_tokens: 358 });
      expect(events.at(-1)?.data.output).toMatchObject({
        text: "It has 3 words.",
        turns: 2,
        tokens: { input: 320, output: 38, total: 358 },
        tool_calls: [
          { tool: "word_count", outcome: "completed" },
          { tool: "report_export", outcome: "refused", reason: "tool_not_in_scope" },
        ],
      });
      // Only the call that ran was reserved against plugin_calls_daily.
      expect(await pluginCallsUsed(app)).toBe(1);
    });
  });
}

describe("agent tool-call bounds", () => {
  it("refuses a tool the step does not list (tool_not_offered), even one the plan grants", async () => {
    const { events, server } = await agentRun(
      "openai",
      {
        reply: (_b, n) =>
          n === 0
            ? {
                toolCalls: [{ id: "x", name: "echo", arguments: { message: "hi" } }],
                usage: { input: 1, output: 1 },
              }
            : answer,
      },
      { plan: { ...PLAN, capabilities: [...PLAN.capabilities, "cap.tool.basic"] } },
    );
    expect(events.find((e) => e.event === "orchestration.tool_call")?.data).toMatchObject({
      tool: "echo",
      outcome: "refused",
      reason: "tool_not_offered",
    });
    expect(toolResults(server.requests[1]?.body ?? {})[0]?.content).toContain("not available to this agent");
    expect(events.at(-1)?.data.status).toBe("completed");
  });

  it("stops offering tools once the step's max_tool_calls is used, so the model answers", async () => {
    const again: Turn = {
      toolCalls: [{ id: "w", name: "word_count", arguments: { text: "a b" } }],
      usage: { input: 1, output: 1 },
    };
    const { events, server } = await agentRun(
      "openai",
      { reply: (_b, n) => (n < 2 ? again : answer) },
      { def: assistant({ max_tool_calls: 1 }) },
    );
    expect(server.requests.map((r) => offered(r.body))).toEqual([["word_count"], ["word_count"], []]);
    expect(
      events.filter((e) => e.event === "orchestration.tool_call").map((e) => [e.data.outcome, e.data.reason]),
    ).toEqual([
      ["completed", undefined],
      ["refused", "tool_call_limit"],
    ]);
    expect(events.at(-1)?.data.status).toBe("completed");
  });

  it("counts agent calls against tools_per_workflow (scope.max_tool_calls) through the dispatcher", async () => {
    const again: Turn = {
      toolCalls: [{ id: "w", name: "word_count", arguments: { text: "a b" } }],
      usage: { input: 1, output: 1 },
    };
    const { events, claims } = await agentRun(
      "openai",
      { reply: (_b, n) => (n < 2 ? again : answer) },
      { plan: { ...PLAN, limits: { ...PLAN.limits, "cap.limit.tools_per_workflow": 1 } } },
    );
    expect(claims.scope.max_tool_calls).toBe(1);
    expect(events.filter((e) => e.event === "orchestration.tool_call").map((e) => e.data.reason)).toEqual([
      undefined,
      "tool_call_limit",
    ]);
    expect(events.at(-1)?.data.status).toBe("completed");
  });

  it("reports a failing tool to the model as a tool error (outcome failed)", async () => {
    const bad: Turn = {
      toolCalls: [{ id: "b", name: "word_count", arguments: "not an object" }],
      usage: { input: 1, output: 1 },
    };
    const { events } = await agentRun("openai", { reply: (_b, n) => (n === 0 ? bad : answer) });
    expect(events.find((e) => e.event === "orchestration.tool_call")?.data).toMatchObject({
      outcome: "failed",
      reason: "tool_arguments_invalid",
    });
    expect(events.at(-1)?.data.status).toBe("completed");
  });

  it("fails the run (agent_turns_exhausted) when the model never answers within max_turns", async () => {
    const loop: Turn = {
      toolCalls: [{ id: "l", name: "echo", arguments: {} }],
      usage: { input: 1, output: 1 },
    };
    const { events, server } = await agentRun(
      "openai",
      { reply: () => loop },
      { def: assistant({ max_turns: 3 }) },
    );
    expect(server.requests).toHaveLength(3);
    expect(events.at(-1)?.data).toMatchObject({
      kind: "orchestration.run_failed",
      reason: "agent_turns_exhausted",
    });
    expect(events.filter((e) => e.event === "chat.usage_summary")).toHaveLength(1);
  });
});
