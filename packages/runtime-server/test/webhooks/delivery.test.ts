import { describe, expect, it, onTestFinished } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { INTERNAL_KEY, signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, internal } from "../helpers/runtime.js";
import { syncManifest } from "../workflows/helpers.js";
import { Receiver } from "./receiver.js";

export const SECRET = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;

/** Deliveries retry after 1 s, then 2 s, 4 s…; the outbox is drained by the test, not a timer. */
const ENV = {
  MOZAIKS_WEBHOOK_RETRY_BASE_MS: "1000",
  MOZAIKS_WEBHOOK_POLL_MS: "600000",
  MOZAIKS_WEBHOOK_TIMEOUT_MS: "5000",
};

export async function subscribe(app: RuntimeApp, body: Record<string, unknown>): Promise<Response> {
  return app.request("/api/internal/webhooks", internal(body));
}

async function setup(subscription: Record<string, unknown> = {}) {
  const receiver = new Receiver(SECRET);
  await receiver.up();
  onTestFinished(() => receiver.down());
  const { app, clock } = await buildTestRuntime({ env: ENV });
  const res = await subscribe(app, { id: "platform", url: receiver.url, secret: SECRET, ...subscription });
  expect(res.status, await res.clone().text()).toBe(201);
  return { app, clock, receiver };
}

async function execute(app: RuntimeApp, claims: Record<string, unknown> = {}) {
  return app.request("/api/execute/echo", {
    method: "POST",
    headers: { ...bearer(await signToken({ sub: "user-1", ...claims })), "content-type": "application/json" },
    body: JSON.stringify({ message: "hi" }),
  });
}

interface Delivery {
  id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_error: string | null;
  payload: { type: string; data: Record<string, unknown> };
}

async function deliveries(app: RuntimeApp, query = ""): Promise<Delivery[]> {
  const res = await app.request(`/api/internal/webhooks/deliveries${query}`, {
    headers: { "x-internal-api-key": INTERNAL_KEY },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { deliveries: Delivery[] }).deliveries;
}

const eventName = (p: { type: string; data: Record<string, unknown> }) =>
  p.type === "limit.threshold_reached" ? `${p.type}@${p.data.threshold_percent}` : p.type;

describe("webhook delivery", () => {
  it("delivers signed events through a receiver outage: every event arrives, each webhook-id is processed once", async () => {
    const { app, clock, receiver } = await setup({
      event_types: ["limit.threshold_reached", "limit.exceeded"],
      thresholds: [50, 100],
    });
    await syncManifest(app, {
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 4 },
      enforcement: { "cap.limit.plugin_calls_daily": "hard" },
    });
    await receiver.down();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await execute(app)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);

    // Receiver down: the first attempt of each message fails and is scheduled again.
    await app.runtime.settle();
    let log = await deliveries(app);
    expect(log.map((d) => eventName(d.payload)).sort()).toEqual([
      "limit.exceeded",
      "limit.threshold_reached@100",
      "limit.threshold_reached@50",
    ]);
    expect(log.every((d) => d.status === "pending" && d.attempts === 1)).toBe(true);
    expect(log[0]?.last_error).toMatch(/ECONNREFUSED/);
    clock.advance(1_000);
    await app.runtime.settle();
    expect((await deliveries(app)).map((d) => d.attempts)).toEqual([2, 2, 2]);

    // Back up, but the 100 % event fails once more after it arrived (the receiver crashed
    // before acknowledging): it comes again with the same webhook-id.
    await receiver.up();
    let failedOnce = false;
    receiver.status = (r) => {
      if (r.payload.data.threshold_percent === 100 && !failedOnce) {
        failedOnce = true;
        return 500;
      }
      return 200;
    };
    clock.advance(2_000);
    await app.runtime.settle();
    expect((await deliveries(app, "?status=pending")).map((d) => eventName(d.payload))).toEqual([
      "limit.threshold_reached@100",
    ]);
    clock.advance(4_000);
    await app.runtime.settle();

    log = await deliveries(app);
    expect(log.every((d) => d.status === "delivered")).toBe(true);
    expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
    expect(receiver.requests).toHaveLength(4);
    const processed = receiver.processed;
    expect(processed.map((r) => eventName(r.payload)).sort()).toEqual(
      log.map((d) => eventName(d.payload)).sort(),
    );
    expect(new Set(processed.map((r) => r.id)).size).toBe(3);
    const retried = receiver.requests.filter((r) => r.payload.data.threshold_percent === 100);
    expect(retried.map((r) => [r.id, r.answered])).toEqual([
      [retried[0]?.id, 500],
      [retried[0]?.id, 200],
    ]);
    // Each attempt is signed at its own time, over the exact same body.
    expect(retried[1]?.timestamp).toBeGreaterThan(retried[0]?.timestamp as number);
    expect(retried[1]?.body).toBe(retried[0]?.body);

    const exceeded = processed.find((r) => r.payload.type === "limit.exceeded");
    expect(exceeded?.payload.data).toMatchObject({
      app_id: "example-app",
      subject: { scope: "app", id: "example-app" },
      limit_id: "cap.limit.plugin_calls_daily",
      limit: 4,
      enforcement: "hard",
      outcome: "refused",
      requested: 1,
      period_start: "2026-03-15T00:00:00.000Z",
      resets_at: "2026-03-16T00:00:00.000Z",
    });

    const detail = await app.request(`/api/internal/webhooks/deliveries/${retried[0]?.id}`, {
      headers: { "x-internal-api-key": INTERNAL_KEY },
    });
    const body = (await detail.json()) as {
      attempts: number;
      attempt_log: Array<{ http_status: number | null }>;
    };
    expect(body.attempts).toBe(4);
    expect(body.attempt_log.map((a) => a.http_status)).toEqual([null, null, 500, 200]);
  });

  it("fires each threshold once per period and subject, and again in the next period", async () => {
    const { app, clock, receiver } = await setup({
      event_types: ["limit.threshold_reached"],
      thresholds: [50],
    });
    await syncManifest(app, {
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 10 },
      enforcement: { "cap.limit.plugin_calls_daily": "warn" },
    });
    // Past 50 % on every call from the fifth on, and past the limit (warn lets them through).
    await Promise.all(Array.from({ length: 14 }, () => execute(app)));
    await app.runtime.settle();
    expect(receiver.processed.map((r) => r.payload.data.used)).toEqual([5]);
    clock.advance(12 * 3_600_000 + 60_000); // just past midnight UTC: a new daily window
    const now = Math.floor(clock.now().getTime() / 1000);
    for (let i = 0; i < 6; i++) expect((await execute(app, { iat: now, exp: now + 60 })).status).toBe(200);
    await app.runtime.settle();
    expect(receiver.processed.map((r) => [r.payload.data.period_start, r.payload.data.used])).toEqual([
      ["2026-03-15T00:00:00.000Z", 5],
      ["2026-03-16T00:00:00.000Z", 5],
    ]);
  });

  it("sends nothing to a subscription that does not take the event type, or is disabled", async () => {
    const { app, receiver } = await setup({ event_types: ["manifest.replaced"] });
    await subscribe(app, { id: "off", url: receiver.url, secret: SECRET, enabled: false });
    await syncManifest(app, {
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 1 },
    });
    await execute(app);
    await execute(app);
    await app.runtime.settle();
    expect(receiver.processed.map((r) => r.payload.type)).toEqual(["manifest.replaced"]);
    expect(receiver.processed[0]?.payload.data).toMatchObject({
      subject: { scope: "app", id: "example-app" },
      source: "runtime",
      current: { capabilities: 1 },
    });
  });

  it("reports a user's manifest replaced by a sync, naming the one it replaced", async () => {
    const { app, receiver } = await setup({ event_types: ["manifest.replaced"] });
    const user = { user_id: "user-1", limits: {} };
    await syncManifest(app, { ...user, issued_at: "2026-03-15T10:00:00Z", capabilities: ["cap.tool.basic"] });
    await syncManifest(app, { ...user, issued_at: "2026-03-15T11:00:00Z", capabilities: [] });
    await app.runtime.settle();
    const subject = { scope: "user", id: "user-1" };
    const sent = receiver.processed.map((r) => r.payload.data as { current: { issued_at: string } });
    expect(sent.sort((a, b) => a.current.issued_at.localeCompare(b.current.issued_at))).toMatchObject([
      { subject, previous: null, current: { issued_at: "2026-03-15T10:00:00Z", capabilities: 1 } },
      { subject, previous: { issued_at: "2026-03-15T10:00:00Z" }, current: { capabilities: 0 } },
    ]);
  });

  it("gives up after the last attempt (dead, kept in the log) and redelivers on request", async () => {
    const receiver = new Receiver(SECRET);
    await receiver.up();
    receiver.status = () => 503;
    onTestFinished(() => receiver.down());
    const { app, clock } = await buildTestRuntime({ env: { ...ENV, MOZAIKS_WEBHOOK_MAX_ATTEMPTS: "2" } });
    await subscribe(app, {
      id: "platform",
      url: receiver.url,
      secret: SECRET,
      event_types: ["manifest.replaced"],
    });
    await syncManifest(app, { capabilities: [], limits: {} });
    await app.runtime.settle();
    clock.advance(1_000);
    await app.runtime.settle();
    const [dead] = await deliveries(app, "?status=dead");
    expect(dead).toMatchObject({ attempts: 2, last_error: "receiver answered 503" });
    receiver.status = () => 200;
    const res = await app.request(`/api/internal/webhooks/deliveries/${dead?.id}/redeliver`, internal({}));
    expect(res.status).toBe(202);
    await app.runtime.settle();
    expect((await deliveries(app)).map((d) => [d.status, d.attempts])).toEqual([["delivered", 3]]);
    const again = await app.request(`/api/internal/webhooks/deliveries/${dead?.id}/redeliver`, internal({}));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toBe("conflict");
  });
});
