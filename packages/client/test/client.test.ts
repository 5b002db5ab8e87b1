import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  CapabilityCache,
  ClientError,
  ConflictError,
  InvalidRequestError,
  LimitExceededError,
  MozaiksClient,
  NotFoundError,
  TimeoutError,
  UnavailableError,
} from "../src/index.js";
import { INTERNAL_KEY, startRuntime, startServer, token } from "./runtime.js";

const EXPORTS = "cap.limit.exports_daily";

describe("@mozaiks/client against a real runtime on loopback", () => {
  let rt: Awaited<ReturnType<typeof startRuntime>>;
  let alice: MozaiksClient;
  let backend: MozaiksClient;

  beforeAll(async () => {
    rt = await startRuntime();
    alice = new MozaiksClient({ baseUrl: rt.url, token: () => token("alice") });
    backend = new MozaiksClient({ baseUrl: rt.url, internalKey: INTERNAL_KEY });
    await backend.internal.sync({
      app_id: "example-app",
      capabilities: ["cap.tool.basic", "cap.tool.echo", "cap.workflow.basic", "cap.feature.export"],
      limits: { [EXPORTS]: 5, "cap.limit.plugin_calls_daily": 2 },
      limit_periods: { [EXPORTS]: { period: "daily" }, "cap.limit.plugin_calls_daily": { period: "daily" } },
    });
  });
  afterAll(() => rt.close());

  it("walks check → track → usage with typed answers", async () => {
    const cap = await alice.check({ capability: "cap.feature.export" });
    expect(cap).toMatchObject({ allowed: true, reason_code: "granted", user_id: "alice" });
    expect(cap.entitlementsVersion).toMatch(/^[\w-]{16}$/);
    const take = await alice.check({ limit: EXPORTS, consume: true, idempotency_key: "order-1" });
    expect(take).toMatchObject({ allowed: true, consumed: 1, used: 1, remaining: 4, period: "daily" });
    expect(await alice.check({ limit: EXPORTS, consume: true, idempotency_key: "order-1" })).toMatchObject({
      replayed: true,
      used: 1,
    });
    expect(await alice.track([{ event_id: "exp-2", metric: EXPORTS, amount: 2 }])).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    const history = await alice.usage({ metric: EXPORTS, granularity: "day" });
    expect(history.buckets).toEqual([
      expect.objectContaining({ metric: EXPORTS, start: "2026-03-15T00:00:00.000Z", amount: 3, events: 2 }),
    ]);
    expect((await backend.internal.usage("alice", { metric: EXPORTS })).buckets[0]?.amount).toBe(3);
    expect((await backend.internal.check("alice", { limit: EXPORTS })).used).toBe(3);
    const ent = await alice.entitlements();
    expect(ent.limits[EXPORTS]).toMatchObject({ used: 3, remaining: 2 });
    expect((await alice.plugins()).plugins.map((p) => p.name)).toContain("echo");
  });

  // Before the errors test, which uses up the plugin calls the run's tool call needs.
  it("iterates a run's events and resumes after the last one seen with Last-Event-ID", async () => {
    const run = await alice.startRun("basic_echo", { input: { message: "hi" } });
    const all = [];
    for await (const e of alice.runEvents(run.run_id)) all.push(e);
    expect(all.at(0)?.event).toMatchObject({ kind: "orchestration.run_started" });
    expect(all.at(-1)?.event).toMatchObject({ kind: "orchestration.run_completed" });
    const rest = [];
    for await (const e of alice.runEvents(run.run_id, { lastEventId: all[0]?.id })) rest.push(e);
    expect(rest.map((e) => e.id)).toEqual(all.slice(1).map((e) => e.id));
  });

  it("raises typed errors keyed by the stable codes, each with the request id the runtime echoed", async () => {
    await alice.execute("echo", { message: "hi" });
    const limit = await alice.execute("echo", { message: "again" }).catch((e: unknown) => e);
    expect(limit).toBeInstanceOf(LimitExceededError);
    const e = limit as LimitExceededError;
    expect(e).toMatchObject({
      code: "limit_exceeded",
      status: 429,
      limitId: "cap.limit.plugin_calls_daily",
      limitValue: 2,
    });
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.body.request_id).toBe(e.requestId);

    const bad = await alice.check({ limit: "tokens" } as never).catch((x: unknown) => x);
    expect(bad).toBeInstanceOf(InvalidRequestError);
    expect((bad as InvalidRequestError).issues.length).toBeGreaterThan(0);

    const stranger = new MozaiksClient({ baseUrl: rt.url, token: "not-a-jwt" });
    await expect(stranger.entitlements()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(alice.execute("nope")).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      alice.check({ limit: EXPORTS, requested: 2, consume: true, idempotency_key: "order-1" }),
    ).rejects.toMatchObject({ code: "idempotency_conflict", constructor: ConflictError });
    await expect(alice.internal.sync({})).rejects.toMatchObject({
      code: "not_configured",
      constructor: ClientError,
    });
  });

  it("caches capability answers for the TTL and drops them when a sync changes the entitlements version", async () => {
    const before = rt.requests();
    const caps = new CapabilityCache(alice, { ttlMs: 60_000 });
    expect(await caps.has("cap.feature.export")).toBe(true);
    expect(await caps.has("cap.feature.export")).toBe(true);
    expect(rt.requests() - before).toBe(1);
    expect(await caps.revalidate()).toBe(false);
    const mid = rt.requests();
    expect(await caps.revalidate()).toBe(false); // 304: nothing changed
    expect(rt.requests() - mid).toBe(1);
    await backend.internal.sync({
      app_id: "example-app",
      capabilities: ["cap.tool.basic", "cap.tool.echo", "cap.workflow.basic"],
      limits: { [EXPORTS]: 5, "cap.limit.plugin_calls_daily": 2 },
      limit_periods: { [EXPORTS]: { period: "daily" }, "cap.limit.plugin_calls_daily": { period: "daily" } },
    });
    expect(await caps.revalidate()).toBe(true);
    expect(await caps.has("cap.feature.export")).toBe(false);
    const short = new CapabilityCache(alice, { ttlMs: 0 });
    const n = rt.requests();
    await short.has("cap.tool.basic");
    await short.has("cap.tool.basic");
    expect(rt.requests() - n).toBe(2);
  });
});

describe("retries, Retry-After and timeouts", () => {
  it("retries an idempotent call on 503 not_ready until the runtime is ready", async () => {
    const rt = await startRuntime({ start: false });
    const client = new MozaiksClient({
      baseUrl: rt.url,
      token: () => token("alice"),
      retries: 5,
      backoffMs: 50,
    });
    setTimeout(() => void rt.app.runtime.start(), 150);
    const ent = await client.entitlements();
    expect(ent.user_id).toBe("alice");
    expect(rt.requests()).toBeGreaterThan(1);
    await rt.close();
  });

  it("never retries a launch (not idempotent): one attempt, the typed 503", async () => {
    const rt = await startRuntime({ start: false });
    const client = new MozaiksClient({
      baseUrl: rt.url,
      token: () => token("alice"),
      retries: 5,
      backoffMs: 10,
    });
    const err = await client.startRun("basic_echo", { input: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).code).toBe("not_ready");
    expect(rt.requests()).toBe(1);
    await rt.close();
  });

  it("waits as long as Retry-After says (seconds) before the next attempt", async () => {
    const srv = await startServer((_req, res, n) => {
      if (n === 1) {
        res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
        res.end(JSON.stringify({ error: "plugin_busy", message: "busy" }));
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ plugins: [] }));
      }
    });
    const client = new MozaiksClient({ baseUrl: srv.url, token: "t", backoffMs: 1 });
    expect(await client.plugins()).toEqual({ plugins: [] });
    expect(srv.hits).toHaveLength(2);
    expect((srv.hits[1] as number) - (srv.hits[0] as number)).toBeGreaterThanOrEqual(950);
    await srv.close();
  });

  it("gives up after its timeout with a TimeoutError that names the request id it sent", async () => {
    const seen: string[] = [];
    const srv = await startServer((req) => {
      seen.push(String(req.headers["x-request-id"]));
    });
    const client = new MozaiksClient({ baseUrl: srv.url, token: "t", timeoutMs: 100, retries: 0 });
    const err = await client.plugins().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).code).toBe("timeout");
    expect((err as TimeoutError).requestId).toBe(seen[0]);
    await srv.close();
  });
});
