import { describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { drivers } from "../helpers/drivers.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, internal } from "../helpers/runtime.js";
import { parseSse, syncManifest } from "../workflows/helpers.js";

async function entitlements(app: RuntimeApp, sub = "user-1") {
  const res = await app.request("/api/entitlements", { headers: bearer(await signToken({ sub })) });
  expect(res.status).toBe(200);
  return (await res.json()) as { limits: Record<string, Record<string, unknown>> };
}

const gauge = (app: RuntimeApp, what: "reserve" | "release", body: Record<string, unknown>) =>
  app.request(`/api/internal/usage/${what}`, internal(body));

async function execute(app: RuntimeApp, sub = "user-1") {
  return app.request("/api/execute/echo", {
    method: "POST",
    headers: { ...bearer(await signToken({ sub })), "content-type": "application/json" },
    body: JSON.stringify({ message: "hi" }),
  });
}

describe.each(drivers)("explicit limit periods ($name)", (driver) => {
  it("reports each limit's signed period, anchor and reset time in GET /api/entitlements", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncManifest(app, {
      capabilities: ["cap.tool.basic"],
      limits: {
        "cap.limit.tokens_monthly": 1000,
        "cap.limit.seats": 5,
        "cap.limit.exports_weekly": 3,
        "cap.limit.tools_per_workflow": 4,
      },
      limit_periods: {
        "cap.limit.tokens_monthly": { period: "monthly", anchor_day: 20 },
        "cap.limit.seats": { period: "none" },
        "cap.limit.exports_weekly": { period: "weekly" },
        "cap.limit.tools_per_workflow": { period: "run" },
      },
    });
    const { limits } = await entitlements(app);
    // NOW is Sunday 2026-03-15 12:00 UTC.
    expect(limits["cap.limit.tokens_monthly"]).toMatchObject({
      period: "monthly",
      anchor_day: 20,
      resets_at: "2026-03-20T00:00:00.000Z",
    });
    expect(limits["cap.limit.seats"]).toMatchObject({ period: "none", resets_at: null });
    expect(limits["cap.limit.exports_weekly"]).toMatchObject({
      period: "weekly",
      resets_at: "2026-03-16T00:00:00.000Z",
    });
    expect(limits["cap.limit.tools_per_workflow"]).toMatchObject({ period: "run", used: 0, resets_at: null });
  });

  it("counts a limit the manifest does not give a period for by its id suffix", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncManifest(app, { capabilities: [], limits: { "cap.limit.seats": 5 } });
    const { limits } = await entitlements(app);
    expect(limits["cap.limit.seats"]).toMatchObject({
      period: "monthly",
      resets_at: "2026-04-01T00:00:00.000Z",
    });
  });
});

describe.each(drivers)(
  "gauges (period none): reserve and release through the internal API ($name)",
  (driver) => {
    const seats = {
      capabilities: [],
      limits: { "cap.limit.seats": 2, "cap.limit.exports_daily": 5 },
      limit_periods: {
        "cap.limit.seats": { period: "none" },
        "cap.limit.exports_daily": { period: "daily" },
      },
    };

    it("takes seats up to the limit, gives them back idempotently, never below 0", async () => {
      const { app } = await buildTestRuntime({ driver });
      await syncManifest(app, seats);
      const r1 = await gauge(app, "reserve", { id: "seat-alice", limit_id: "cap.limit.seats" });
      expect(r1.status).toBe(200);
      expect(await r1.json()).toMatchObject({ delta: 1, used: 1, remaining: 1, duplicate: false });
      // The same id again counts nothing.
      expect(
        await (await gauge(app, "reserve", { id: "seat-alice", limit_id: "cap.limit.seats" })).json(),
      ).toMatchObject({ delta: 0, used: 1, duplicate: true });
      expect((await gauge(app, "reserve", { id: "seat-bob", limit_id: "cap.limit.seats" })).status).toBe(200);
      const full = await gauge(app, "reserve", { id: "seat-carol", limit_id: "cap.limit.seats" });
      expect(full.status).toBe(429);
      expect(await full.json()).toMatchObject({
        error: "limit_exceeded",
        limit_id: "cap.limit.seats",
        current_usage: 2,
      });

      const rel = await gauge(app, "release", { id: "bye-bob", limit_id: "cap.limit.seats" });
      expect(await rel.json()).toMatchObject({ delta: -1, used: 1, remaining: 1 });
      expect(
        await (await gauge(app, "release", { id: "bye-bob", limit_id: "cap.limit.seats" })).json(),
      ).toMatchObject({
        delta: 0,
        used: 1,
        duplicate: true,
      });
      expect((await gauge(app, "reserve", { id: "seat-carol", limit_id: "cap.limit.seats" })).status).toBe(
        200,
      );
      // Releasing more than is held stops at 0.
      expect(
        await (
          await gauge(app, "release", { id: "bye-all", limit_id: "cap.limit.seats", amount: 10 })
        ).json(),
      ).toMatchObject({ delta: -2, used: 0 });
      expect((await entitlements(app)).limits["cap.limit.seats"]).toMatchObject({ used: 0, remaining: 2 });
    });

    it("refuses to release a periodic limit (409 limit_not_releasable) and rejects bad bodies with 400", async () => {
      const { app } = await buildTestRuntime({ driver });
      await syncManifest(app, seats);
      const res = await gauge(app, "release", { id: "x", limit_id: "cap.limit.exports_daily" });
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({
        error: "limit_not_releasable",
        limit_id: "cap.limit.exports_daily",
      });
      expect((await gauge(app, "reserve", { id: "y", limit_id: "cap.limit.seats", amount: -1 })).status).toBe(
        400,
      );
      expect((await gauge(app, "reserve", { limit_id: "cap.limit.seats" })).status).toBe(400);
      expect((await gauge(app, "reserve", { id: "z", limit_id: "seats" })).status).toBe(400);
    });
  },
);

describe.each(drivers)("whose limits count ($name)", (driver) => {
  it("charges a user governed by their own manifest to that manifest, never to the app's", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncManifest(app, {
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 1 },
    });
    await syncManifest(app, {
      user_id: "vip",
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 3 },
    });
    for (let i = 0; i < 3; i++) expect((await execute(app, "vip")).status).toBe(200);
    expect((await execute(app, "vip")).status).toBe(429);
    // The app-level budget (one call) is untouched by vip's three.
    expect((await entitlements(app, "someone")).limits["cap.limit.plugin_calls_daily"]).toMatchObject({
      used: 0,
    });
    expect((await execute(app, "someone")).status).toBe(200);
    expect((await execute(app, "someone-else")).status).toBe(429);
  });
});

describe.each(drivers)("workflow tool calls count like execute ($name)", (driver) => {
  it("refuses a workflow's tool step once plugin_calls_daily is used up by execute, and counts its calls", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncManifest(app, {
      capabilities: ["cap.workflow.basic", "cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 2, "cap.limit.workflows_daily": 10 },
    });
    const token = await signToken({ sub: "user-1" });
    const run = async () => {
      const res = await app.request("/api/workflows/basic_echo/runs", {
        method: "POST",
        headers: { ...bearer(token), "content-type": "application/json" },
        body: JSON.stringify({ input: { message: "hello" } }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const { events_url } = (await res.json()) as { events_url: string };
      const sse = await app.request(events_url, { headers: bearer(token) });
      return parseSse(await sse.text());
    };
    // One call through a workflow, one through execute: the limit of two is used up.
    expect((await run()).at(-1)?.event).toBe("orchestration.run_completed");
    expect((await execute(app)).status).toBe(200);
    expect((await execute(app)).status).toBe(429);
    const events = await run();
    const last = events.at(-1);
    expect(last?.event).toBe("orchestration.run_failed");
    expect(String(last?.data.error)).toMatch(
      /tool 'echo' refused: Limit cap\.limit\.plugin_calls_daily exceeded/,
    );
    expect((await entitlements(app)).limits["cap.limit.plugin_calls_daily"]).toMatchObject({ used: 2 });
  });
});
