import { join } from "node:path";
import { ExecutionContextSchema, WorkflowRunResponseSchema } from "@mozaiks/contracts";
import { tempDir } from "@mozaiks/test-utils";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/db.js";
import { buildTestRuntime } from "../helpers/runtime.js";
import { ingestTokens, runEvents, startRun, syncManifest, words } from "./helpers.js";

const SUMMARIZE_CAPS = ["cap.workflow.summarize", "cap.tool.word_count"];

async function launchClaims(res: Response) {
  const body = WorkflowRunResponseSchema.parse(await res.json());
  return { body, claims: ExecutionContextSchema.parse(decodeJwt(body.launch_token)) };
}

describe("workflow launch checks", () => {
  it("mints a short-lived EdDSA launch token whose scope is exactly the granted tools", async () => {
    const { app } = await buildTestRuntime();
    const res = await startRun(app, "summarize", { text: "Hello there." });
    expect(res.status).toBe(201);
    const { body, claims } = await launchClaims(res);
    expect(
      JSON.parse(Buffer.from(body.launch_token.split(".")[0] ?? "", "base64url").toString()),
    ).toMatchObject({
      alg: "EdDSA",
    });
    expect(claims).toMatchObject({
      iss: "mozaiks-runtime",
      aud: "mozaiks-engine",
      sub: "user-1",
      user_id: "user-1",
      app_id: "example-app",
      run_id: body.run_id,
      workflow_id: "summarize",
      scope: {
        workflow: "cap.workflow.summarize",
        tools: ["cap.tool.word_count"],
        // The example manifest grants cap.artifact.view, the default artifact capability.
        artifacts: ["cap.artifact.view"],
        token_allowance: null,
        token_enforcement: "soft",
        max_tool_calls: 20,
      },
    });
    expect(claims.exp - claims.iat).toBe(15 * 60);
    await runEvents(app, body.run_id);
  });

  it("denies a workflow whose capability is not granted (403), consuming nothing", async () => {
    const { app, store } = await buildTestRuntime();
    await syncManifest(app, {
      capabilities: ["cap.tool.word_count"],
      limits: { "cap.limit.workflows_daily": 5 },
    });
    const res = await startRun(app, "summarize", { text: "x" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      error: "capability_denied",
      capability_id: "cap.workflow.summarize",
    });
    const n = store.sqlite.prepare("select count(*) as n from usage_events").get() as { n: number };
    const runs = store.sqlite.prepare("select count(*) as n from runs").get() as { n: number };
    expect([n.n, runs.n]).toEqual([0, 0]);
  });

  it("denies at launch a workflow using a tool that is not granted, naming the tool", async () => {
    const { app } = await buildTestRuntime();
    await syncManifest(app, { capabilities: ["cap.workflow.summarize"], limits: {} });
    const res = await startRun(app, "summarize", { text: "x" });
    expect(res.status).toBe(403);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: "capability_denied", capability_id: "cap.tool.word_count" });
    expect(String(body.message)).toContain("cap.tool.word_count");
  });

  it("reserves one workflows_daily unit per launch and answers 429 once exhausted", async () => {
    const { app } = await buildTestRuntime();
    await syncManifest(app, { capabilities: SUMMARIZE_CAPS, limits: { "cap.limit.workflows_daily": 1 } });
    const ok = await startRun(app, "summarize", { text: "one." });
    expect(ok.status).toBe(201);
    const denied = await startRun(app, "summarize", { text: "two." });
    expect(denied.status).toBe(429);
    expect(await denied.json()).toMatchObject({
      error: "limit_exceeded",
      limit_id: "cap.limit.workflows_daily",
      limit_value: 1,
      current_usage: 1,
    });
    await runEvents(app, WorkflowRunResponseSchema.parse(await ok.json()).run_id);
  });

  it("lets exactly one of 20 concurrent launches through at 1 remaining workflows_daily unit", async () => {
    const tmp = tempDir();
    const store = openStore(join(tmp, "rt.db"));
    const { app } = await buildTestRuntime({ store });
    await syncManifest(app, {
      capabilities: ["cap.workflow.basic", "cap.tool.basic"],
      limits: { "cap.limit.workflows_daily": 3 },
    });
    for (let i = 0; i < 2; i++)
      expect((await startRun(app, "basic_echo", { message: `m${i}` })).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => startRun(app, "basic_echo", { message: `c${i}` })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(19);
    const runs = store.sqlite.prepare("select count(*) as n from runs").get() as { n: number };
    expect(runs.n).toBe(3);
  });

  it("denies a launch when the monthly tokens are exhausted under soft enforcement", async () => {
    const { app, store } = await buildTestRuntime();
    await syncManifest(app, {
      capabilities: SUMMARIZE_CAPS,
      limits: { "cap.limit.tokens_monthly": 100, "cap.limit.workflows_daily": 10 },
      enforcement: { "cap.limit.tokens_monthly": "soft" },
    });
    await ingestTokens(app, 100);
    const res = await startRun(app, "summarize", { text: "x" });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: "limit_exceeded", limit_id: "cap.limit.tokens_monthly" });
    // The token denial comes before the daily reservation, so no run unit was spent.
    const used = store.sqlite
      .prepare("select count(*) as n from usage_events where metric = 'cap.limit.workflows_daily'")
      .get() as { n: number };
    expect(used.n).toBe(0);
  });

  it("allows an exhausted budget under warn with X-Mozaiks-Entitlement-Warning and an audit event", async () => {
    const { app, store } = await buildTestRuntime();
    await syncManifest(app, {
      capabilities: SUMMARIZE_CAPS,
      limits: { "cap.limit.tokens_monthly": 100 },
      enforcement: { "cap.limit.tokens_monthly": "warn" },
    });
    await ingestTokens(app, 150);
    const res = await startRun(app, "summarize", { text: "Still runs." });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-mozaiks-entitlement-warning")).toContain("cap.limit.tokens_monthly");
    const { body, claims } = await launchClaims(res);
    expect(claims.scope).toMatchObject({ token_allowance: null, token_enforcement: "warn" });
    const events = await runEvents(app, body.run_id);
    expect(events.at(-1)?.event).toBe("orchestration.run_completed");
    await app.runtime.ctx.audit.flush();
    const audit = store.sqlite
      .prepare(
        "select count(*) as n from audit_events where result = 'warning' and subject = 'cap.limit.tokens_monthly'",
      )
      .get() as { n: number };
    expect(audit.n).toBeGreaterThan(0);
  });

  it("under hard enforcement puts the remaining tokens in the scope and bounds the model by them", async () => {
    const { app } = await buildTestRuntime();
    await syncManifest(app, {
      capabilities: SUMMARIZE_CAPS,
      limits: { "cap.limit.tokens_monthly": 100 },
      enforcement: { "cap.limit.tokens_monthly": "hard" },
    });
    await ingestTokens(app, 60);
    const res = await startRun(app, "summarize", { text: words(30) });
    expect(res.status).toBe(201);
    const { body, claims } = await launchClaims(res);
    expect(claims.scope).toMatchObject({ token_allowance: 40, token_enforcement: "hard" });
    const events = await runEvents(app, body.run_id);
    const delta = events.find((e) => e.event === "chat.usage_delta")?.data ?? {};
    // 30 prompt tokens leave 10 of the 40 for output (max_tokens of the step is 40).
    expect(delta).toMatchObject({ input_tokens: 30, output_tokens: 10, total_tokens: 40 });
    const done = events.at(-1)?.data ?? {};
    expect(done).toMatchObject({ kind: "orchestration.run_completed", output: { summary_tokens: 10 } });
    expect(String((done.output as { summary: string }).summary).split(" ")).toHaveLength(10);
  });
});
