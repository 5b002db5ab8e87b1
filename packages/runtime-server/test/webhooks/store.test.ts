import { describe, expect, it } from "vitest";
import { type Subscription, WebhookStore } from "../../src/control/webhooks/store.js";
import { drivers } from "../helpers/drivers.js";

const sub = (id: string, source: Subscription["source"] = "api"): Subscription => ({
  id,
  url: "http://127.0.0.1:1/hook",
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  source,
  eventTypes: ["limit.threshold_reached"],
  thresholds: [80, 100],
  limitThresholds: { "cap.limit.seats": [50] },
  leadSeconds: 3600,
  enabled: true,
  createdAt: 1,
  updatedAt: 2,
});

const message = (id: string, dedupeKey: string, subscriptionId = "a") => ({
  id,
  subscriptionId,
  eventType: "limit.threshold_reached" as const,
  dedupeKey,
  payload: `{"n":"${id}"}`,
  createdAt: 1_000,
});

describe.each(drivers)("webhook store on $name", (driver) => {
  it("keeps subscriptions, and the bundle's set is replaced as a whole", async () => {
    const db = await driver.database();
    const rt = await driver.open(db);
    const store = new WebhookStore(rt.sql);
    await store.saveSubscription(sub("api-1"));
    await store.replaceBundleSubscriptions([sub("b-1", "bundle"), sub("b-2", "bundle")]);
    await store.replaceBundleSubscriptions([sub("b-2", "bundle")]);
    expect((await store.subscriptions()).map((s) => s.id)).toEqual(["api-1", "b-2"]);
    expect(await store.subscription("api-1")).toEqual(sub("api-1"));
    expect(await store.deleteSubscription("api-1")).toBe(true);
    expect(await store.deleteSubscription("api-1")).toBe(false);
    await rt.close();
  });

  it("queues an event once per (subscription, dedupe key), even from two connections", async () => {
    const db = await driver.database();
    const one = await driver.open(db);
    const two = await driver.open(db);
    const a = new WebhookStore(one.sql);
    const b = new WebhookStore(two.sql);
    const added = await Promise.all([
      a.enqueue([message("m1", "k"), message("m2", "k", "b")]),
      b.enqueue([message("m3", "k"), message("m4", "other")]),
    ]);
    expect(added.reduce((x, y) => x + y, 0)).toBe(3);
    const ids = (await a.list({ limit: 10 })).map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["m2", "m4"]));
    // m1 and m3 carry the same (subscription, key): whichever committed first is the one kept.
    expect(ids.filter((id) => id === "m1" || id === "m3")).toHaveLength(1);
    await one.close();
    await two.close();
  });

  it("leases a due message to one drain, logs attempts and pages the log newest first", async () => {
    const db = await driver.database();
    const rt = await driver.open(db);
    const store = new WebhookStore(rt.sql);
    await store.enqueue([message("m1", "1"), message("m2", "2"), message("m3", "3")]);
    expect((await store.due(1_000, 10)).map((m) => m.id)).toEqual(["m1", "m2", "m3"]);
    const claims = await Promise.all([store.claim("m1", 1_000, 5_000), store.claim("m1", 1_000, 5_000)]);
    expect(claims.sort()).toEqual([false, true]);
    expect((await store.due(2_000, 10)).map((m) => m.id)).toEqual(["m2", "m3"]);
    await store.recordAttempt({
      messageId: "m1",
      attempt: 1,
      at: 1_500,
      httpStatus: 500,
      error: "receiver answered 500",
      durationMs: 3.4,
      status: "pending",
      nextAttemptAt: 9_000,
    });
    expect((await store.due(8_999, 10)).map((m) => m.id)).toEqual(["m2", "m3"]);
    expect((await store.due(9_000, 10)).map((m) => m.id)).toEqual(["m1", "m2", "m3"]);
    expect(await store.attempts("m1")).toEqual([
      { attempt: 1, at: 1_500, http_status: 500, error: "receiver answered 500", duration_ms: 3 },
    ]);
    expect(await store.pending()).toBe(3);
    const page1 = await store.list({ limit: 2 });
    expect(page1.map((m) => m.id)).toEqual(["m3", "m2"]);
    const page2 = await store.list({ limit: 2, before: Number(page1[1]?.seq) });
    expect(page2.map((m) => m.id)).toEqual(["m1"]);
    expect((await store.list({ limit: 5, status: "delivered" })).length).toBe(0);
    await rt.close();
  });
});
