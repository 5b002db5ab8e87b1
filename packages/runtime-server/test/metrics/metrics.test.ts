import { afterEach, describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { INTERNAL_KEY, signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, internal } from "../helpers/runtime.js";
import { ingestTokens, runEvents, startRun, syncManifest } from "../workflows/helpers.js";

const apps: RuntimeApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.runtime.close();
});

async function runtime(env: Record<string, string> = {}) {
  const built = await buildTestRuntime({ env });
  apps.push(built.app);
  return built;
}

async function scrape(app: RuntimeApp): Promise<string> {
  const res = await app.request("/metrics", { headers: { "x-internal-api-key": INTERNAL_KEY } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one sample line `name{labels} value` (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] ?? "").matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (
      Object.entries(labels).every(([k, v]) => got[k] === v) &&
      Object.keys(got).length === Object.keys(labels).length
    )
      return Number(m[3]);
  }
  return undefined;
}

async function execute(app: RuntimeApp, plugin: string, sub = "user-1") {
  return app.request(`/api/execute/${plugin}`, {
    method: "POST",
    headers: { ...bearer(await signToken({ sub })), "content-type": "application/json" },
    body: JSON.stringify({ message: "hi" }),
  });
}

describe("GET /metrics", () => {
  it("is behind the internal key", async () => {
    const { app } = await runtime();
    expect((await app.request("/metrics")).status).toBe(401);
    expect(
      (await app.request("/metrics", { headers: { "x-internal-api-key": "wrong-key-0123456789" } })).status,
    ).toBe(401);
    await scrape(app);
  });

  it("counts requests by route pattern and status, never by raw path or user", async () => {
    const { app } = await runtime();
    expect((await execute(app, "echo", "user-secret-42")).status).toBe(200);
    expect((await execute(app, "no-such-plugin-xyz", "user-secret-42")).status).toBe(404);
    expect((await app.request("/some/random/path-abc")).status).toBe(404);
    const text = await scrape(app);
    const route = "/api/execute/:plugin_name";
    expect(sample(text, "mozaiks_http_requests_total", { method: "POST", route, status: "200" })).toBe(1);
    expect(sample(text, "mozaiks_http_requests_total", { method: "POST", route, status: "404" })).toBe(1);
    expect(
      sample(text, "mozaiks_http_requests_total", { method: "GET", route: "(unmatched)", status: "404" }),
    ).toBe(1);
    expect(
      sample(text, "mozaiks_http_request_duration_seconds_count", { method: "POST", route, status: "200" }),
    ).toBe(1);
    for (const raw of ["no-such-plugin-xyz", "path-abc", "user-secret-42"]) expect(text).not.toContain(raw);
  });

  it("counts capability decisions by type and result, and limit hits by limit id and enforcement", async () => {
    const { app } = await runtime();
    await syncManifest(app, {
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 1 },
      enforcement: { "cap.limit.plugin_calls_daily": "hard" },
    });
    expect((await execute(app, "echo")).status).toBe(200);
    expect((await execute(app, "echo")).status).toBe(429);
    expect((await execute(app, "word_count")).status).toBe(403);
    await app.runtime.ctx.webhooks.dispatcher.drain();
    const text = await scrape(app);
    expect(sample(text, "mozaiks_capability_decisions_total", { type: "tool", result: "allowed" })).toBe(2);
    expect(sample(text, "mozaiks_capability_decisions_total", { type: "tool", result: "denied" })).toBe(1);
    expect(
      sample(text, "mozaiks_limit_hits_total", {
        limit_id: "cap.limit.plugin_calls_daily",
        enforcement: "hard",
        outcome: "refused",
      }),
    ).toBe(1);
  });

  it("counts ingested events and duplicates, workflow runs by status and database calls", async () => {
    const { app } = await runtime();
    await ingestTokens(app, 10);
    await ingestTokens(app, 10); // the same event ids again
    const run = await startRun(app, "summarize", {
      text: "Mozaiks enforces capabilities. Plans map to them.",
    });
    expect(run.status).toBe(201);
    const { run_id } = (await run.json()) as { run_id: string };
    await runEvents(app, run_id);
    const text = await scrape(app);
    expect(sample(text, "mozaiks_usage_ingest_events_total", { result: "accepted" })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sample(text, "mozaiks_usage_ingest_events_total", { result: "duplicate" })).toBe(1);
    expect(sample(text, "mozaiks_workflow_runs_total", { status: "started" })).toBe(1);
    expect(sample(text, "mozaiks_workflow_runs_total", { status: "completed" })).toBe(1);
    expect(sample(text, "mozaiks_db_operation_duration_seconds_count", { op: "batch" })).toBeGreaterThan(0);
  });

  it("reports the plugin pool and the seconds until the manifest in force expires", async () => {
    const { app, clock } = await runtime();
    const expires = new Date(clock.now().getTime() + 3_600_000).toISOString();
    await syncManifest(app, { capabilities: ["cap.tool.basic"], limits: {}, expires_at: expires });
    expect((await execute(app, "echo")).status).toBe(200);
    const text = await scrape(app);
    expect(sample(text, "mozaiks_manifest_expiry_seconds", { scope: "app" })).toBe(3600);
    expect(sample(text, "mozaiks_plugin_pool_workers", { state: "idle" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "mozaiks_plugin_queue_depth")).toBe(0);
    expect(sample(text, "mozaiks_plugin_timeouts_total")).toBe(0);
    expect(sample(text, "mozaiks_plugin_crashes_total")).toBe(0);
    expect(sample(text, "mozaiks_webhook_outbox_pending")).toBe(0);
    expect(text).toContain("mozaiks_process_resident_memory_bytes");
  });

  it("keeps one registry per app: two runtimes in one process count apart", async () => {
    const { app: a } = await runtime();
    const { app: b } = await runtime();
    for (let i = 0; i < 3; i++) await a.request("/health");
    await b.request("/health");
    const labels = { method: "GET", route: "/health", status: "200" };
    expect(sample(await scrape(a), "mozaiks_http_requests_total", labels)).toBe(3);
    expect(sample(await scrape(b), "mozaiks_http_requests_total", labels)).toBe(1);
  });

  it("serves /metrics without a key on MOZAIKS_METRICS_PORT, and nothing else there", async () => {
    const { app } = await runtime({ MOZAIKS_METRICS_PORT: "0" });
    const url = app.runtime.metricsUrl as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await app.request("/health");
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(
      sample(await res.text(), "mozaiks_http_requests_total", {
        method: "GET",
        route: "/health",
        status: "200",
      }),
    ).toBe(1);
    expect((await fetch(url.replace("/metrics", "/api/plugins"))).status).toBe(404);
    await app.runtime.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe("internal usage reserve", () => {
  it("counts a warn-mode pass over the limit as an allowed hit", async () => {
    const { app } = await runtime();
    await syncManifest(app, {
      capabilities: [],
      limits: { "cap.limit.seats": 1 },
      enforcement: { "cap.limit.seats": "warn" },
      limit_periods: { "cap.limit.seats": { period: "none" } },
    });
    for (const id of ["a", "b"]) {
      const res = await app.request(
        "/api/internal/usage/reserve",
        internal({ id, limit_id: "cap.limit.seats" }),
      );
      expect(res.status).toBe(200);
    }
    const text = await scrape(app);
    expect(
      sample(text, "mozaiks_limit_hits_total", {
        limit_id: "cap.limit.seats",
        enforcement: "warn",
        outcome: "allowed",
      }),
    ).toBe(1);
  });
});
