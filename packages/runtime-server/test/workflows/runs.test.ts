import { EntitlementsResponseSchema, WorkflowRunResponseSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import { drivers } from "../helpers/drivers.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime } from "../helpers/runtime.js";
import { runEvents, startRun } from "./helpers.js";

const TEXT = "Mozaiks runs workflows. The control layer decides. The engine executes within the scope.";

describe.each(drivers)("workflow runs ($name)", (driver) => {
  it("runs summarize end to end: ordered events, output, and tokens in the ledger", async () => {
    const { app, store } = await buildTestRuntime({ driver });
    const res = await startRun(app, "summarize", { text: TEXT });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = WorkflowRunResponseSchema.parse(await res.json());
    expect(body.events_url).toBe(`/api/runs/${body.run_id}/events`);
    expect(res.headers.get("location")).toBe(body.events_url);

    const events = await runEvents(app, body.run_id);
    expect(events.map((e) => e.event)).toEqual([
      "orchestration.run_started",
      "orchestration.agent_started",
      "orchestration.agent_started",
      "chat.usage_delta",
      "chat.usage_summary",
      "orchestration.run_completed",
    ]);
    expect(events.map((e) => e.data.agent).filter(Boolean)).toEqual(["count", "summary"]);
    for (const e of events) {
      expect(e.data.run_id).toBe(body.run_id);
      expect(typeof e.data.timestamp).toBe("string");
    }
    const delta = events[3]?.data ?? {};
    expect(delta).toMatchObject({
      model: "mozaiks-local-extractive",
      user_id: "user-1",
      workflow_id: "summarize",
    });
    expect(delta.total_tokens).toBe(Number(delta.input_tokens) + Number(delta.output_tokens));
    const done = events[5]?.data ?? {};
    expect(done.status).toBe("completed");
    expect(done.output).toEqual({
      summary: TEXT,
      words: 13,
      summary_tokens: 13,
    });

    const ent = EntitlementsResponseSchema.parse(
      await (await app.request("/api/entitlements", { headers: bearer(await signToken()) })).json(),
    );
    expect(ent.limits["cap.limit.tokens_monthly"]?.used).toBe(26);
    expect(ent.limits["cap.limit.workflows_daily"]?.used).toBe(1);
    const row = await store.sql.get("select status, user_id from runs where run_id = ?", [body.run_id]);
    expect(row).toEqual({ status: "completed", user_id: "user-1" });
  });

  it("replays the stored events of a finished run, and resumes after Last-Event-ID", async () => {
    const { app } = await buildTestRuntime({ driver });
    const { run_id } = WorkflowRunResponseSchema.parse(
      await (await startRun(app, "basic_echo", { message: "hi" })).json(),
    );
    const first = await runEvents(app, run_id);
    const again = await runEvents(app, run_id);
    expect(again).toEqual(first);
    expect(first.at(-1)?.data).toMatchObject({
      kind: "orchestration.run_completed",
      output: { echoed: { echo: { message: "hi" } } },
    });
    const resumed = await runEvents(app, run_id, { lastEventId: first[1]?.id ?? "" });
    expect(resumed).toEqual(first.slice(2));
  });

  it("answers 404 run_not_found for another user's run and for an unknown run", async () => {
    const { app } = await buildTestRuntime({ driver });
    const { run_id } = WorkflowRunResponseSchema.parse(
      await (await startRun(app, "basic_echo", { message: "x" })).json(),
    );
    await runEvents(app, run_id);
    for (const [path, sub] of [
      [`/api/runs/${run_id}/events`, "user-2"],
      ["/api/runs/run_nope/events", "user-1"],
    ] as const) {
      const res = await app.request(path, { headers: bearer(await signToken({ sub })) });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "run_not_found" });
    }
  });

  it("rejects unknown workflows (404) and bad input or bad Last-Event-ID (400)", async () => {
    const { app } = await buildTestRuntime({ driver });
    const missing = await startRun(app, "nope", {});
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "workflow_not_found" });
    for (const input of [{}, { text: 3 }, { text: "a", extra: true }]) {
      const res = await startRun(app, "summarize", input);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; issues: unknown[] };
      expect(body.error).toBe("invalid_request");
      expect(body.issues.length).toBeGreaterThan(0);
    }
    const raw = await app.request("/api/workflows/summarize/runs", {
      method: "POST",
      headers: { ...bearer(await signToken()), "content-type": "application/json" },
      body: "{not json",
    });
    expect(raw.status).toBe(400);
    const { run_id } = WorkflowRunResponseSchema.parse(
      await (await startRun(app, "basic_echo", { message: "x" })).json(),
    );
    const bad = await app.request(`/api/runs/${run_id}/events`, {
      headers: { ...bearer(await signToken()), "last-event-id": "abc" },
    });
    expect(bad.status).toBe(400);
    await runEvents(app, run_id);
  });
});
