import { describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { TOKENS_MONTHLY } from "../../src/control/usage/ledger.js";
import { STALE_MS } from "../../src/store/instances.js";
import { drivers } from "../helpers/drivers.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, internal } from "../helpers/runtime.js";
import { ingestTokens, parseSse, syncManifest } from "../workflows/helpers.js";

const LIMIT = 1000;
/** "Alpha beta gamma." → 3 input + up to 3 output tokens per run of `summarize`. */
const TEXT = "Alpha beta gamma.";

function budget(enforcement: "hard" | "soft") {
  return {
    capabilities: ["cap.workflow.summarize", "cap.tool.word_count"],
    limits: { [TOKENS_MONTHLY]: LIMIT, "cap.limit.workflows_daily": 1000 },
    enforcement: { [TOKENS_MONTHLY]: enforcement },
    limit_periods: { [TOKENS_MONTHLY]: { period: "monthly" } },
  };
}

async function used(app: RuntimeApp): Promise<number> {
  const res = await app.request("/api/entitlements", { headers: bearer(await signToken({ sub: "user-1" })) });
  return (
    ((await res.json()) as { limits: Record<string, { used: number }> }).limits[TOKENS_MONTHLY]?.used ?? -1
  );
}

/** Launches `n` runs at once; waits for every admitted run to end; returns statuses and run tokens. */
async function launchTogether(app: RuntimeApp, n: number) {
  const token = await signToken({ sub: "user-1" });
  const responses = await Promise.all(
    Array.from({ length: n }, () =>
      app.request("/api/workflows/summarize/runs", {
        method: "POST",
        headers: { ...bearer(token), "content-type": "application/json" },
        body: JSON.stringify({ input: { text: TEXT } }),
      }),
    ),
  );
  let runTokens = 0;
  const statuses: number[] = [];
  for (const res of responses) {
    statuses.push(res.status);
    if (res.status !== 201) continue;
    const { events_url } = (await res.json()) as { events_url: string };
    const events = parseSse(await (await app.request(events_url, { headers: bearer(token) })).text());
    for (const e of events) if (e.event === "chat.usage_delta") runTokens += Number(e.data.total_tokens);
  }
  return { statuses, runTokens };
}

describe.each(drivers)("token budgets under concurrency ($name)", (driver) => {
  it("hard: 100 concurrent launches with N tokens left never use more than N; holds are settled", async () => {
    const { app } = await buildTestRuntime({ driver, env: { MOZAIKS_RUN_TOKEN_CAP: "6" } });
    await syncManifest(app, budget("hard"));
    const left = 20;
    await ingestTokens(app, LIMIT - left);
    const { statuses, runTokens } = await launchTogether(app, 100);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 429)).toBe(true);
    expect(runTokens).toBeLessThanOrEqual(left);
    // Every hold was settled: the counter holds exactly what the runs recorded.
    expect(await used(app)).toBe(LIMIT - left + runTokens);
    expect(await app.runtime.ctx.ledger.openHolds()).toEqual([]);
  }, 60_000);

  it("hard: a run whose prompt does not fit its allowance fails without using tokens", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncManifest(app, budget("hard"));
    await ingestTokens(app, LIMIT - 1);
    const { statuses, runTokens } = await launchTogether(app, 10);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(runTokens).toBe(0);
    expect(await used(app)).toBe(LIMIT - 1);
  }, 60_000);

  it("soft: with N left and a per-run cap ≥ N one run is admitted at a time; the overshoot is its usage beyond N", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncManifest(app, budget("soft"));
    const left = 5;
    await ingestTokens(app, LIMIT - left);
    const { statuses, runTokens } = await launchTogether(app, 100);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(runTokens).toBe(6); // not bounded: soft never interrupts a run
    const total = await used(app);
    expect(total).toBe(LIMIT - left + runTokens);
    // The documented bound: limit + (admitted runs' usage beyond their holds).
    expect(total - LIMIT).toBeLessThanOrEqual(runTokens - left);
  }, 60_000);

  it("settles at restart the hold of a run the previous process never finished, once its heartbeat is stale", async () => {
    const db = await driver.database();
    const a = await buildTestRuntime({ store: await driver.open(db) });
    await syncManifest(a.app, budget("hard"));
    await ingestTokens(a.app, 100);
    const ctx = a.app.runtime.ctx;
    const resolved = await ctx.state.resolve("user-1");
    // A launch as the route makes it: the hold, then the run record; the engine records 4 tokens.
    const hold = await ctx.ledger.hold({
      ctx: resolved,
      limitId: TOKENS_MONTHLY,
      userId: "user-1",
      runId: "run_crashed",
      workflowId: "summarize",
      want: 500,
      limit: LIMIT,
    });
    expect(hold.granted).toBe(500);
    await a.app.runtime.workflows.log.create(
      { runId: "run_crashed", appId: "example-app", userId: "user-1", workflowId: "summarize" },
      {
        workflow: "cap.workflow.summarize",
        tools: [],
        artifacts: [],
        token_allowance: 500,
        token_enforcement: "hard",
        max_tool_calls: null,
      },
    );
    const res = await a.app.request(
      "/api/usage/ingest",
      internal({
        batch_id: "run:run_crashed",
        events: [
          {
            kind: "chat.usage_delta",
            event_id: "run_crashed.step.summary",
            timestamp: "2026-03-15T12:00:00Z",
            app_id: "example-app",
            user_id: "user-1",
            workflow_id: "summarize",
            run_id: "run_crashed",
            model: "m",
            input_tokens: 3,
            output_tokens: 1,
            total_tokens: 4,
          },
        ],
      }),
    );
    expect(res.status).toBe(200);
    expect(await used(a.app)).toBe(600); // 100 + the hold (its 4 tokens drew on it)
    await a.store.close(); // the process dies: no settlement, no more heartbeats

    const b = await buildTestRuntime({ store: await driver.open(db), start: false });
    b.clock.advance(STALE_MS + 1); // a's last heartbeat is now stale
    await b.app.runtime.start();
    expect(await used(b.app)).toBe(104);
    expect(await b.app.runtime.ctx.ledger.openHolds()).toEqual([]);
    expect((await b.app.runtime.workflows.log.get("run_crashed"))?.status).toBe("failed");
    const events = await b.app.runtime.workflows.log.events("run_crashed", 0);
    expect(events.at(-1)?.payload).toMatch(/interrupted: the runtime stopped before the run ended/);
    await b.app.runtime.close();
  }, 60_000);
});
