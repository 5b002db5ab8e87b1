import { TrackResponseSchema, UsageHistoryResponseSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { drivers } from "../helpers/drivers.js";
import { buildTestRuntime } from "../helpers/runtime.js";
import { get, LIMITS, post, syncAppLimits } from "./helpers.js";

async function track(app: RuntimeApp, events: unknown[], sub: string | null = null) {
  const res = await post(app, "/api/track", { events }, sub);
  expect(res.status, await res.clone().text()).toBe(200);
  return TrackResponseSchema.parse(await res.json());
}

async function used(app: RuntimeApp, limit: string, user = "user-1"): Promise<number> {
  const res = await post(app, "/api/check", { limit }, user);
  return ((await res.json()) as { used: number }).used;
}

async function history(app: RuntimeApp, query: string, sub: string | null = "user-1") {
  const res = await get(app, `/api/usage?${query}`, sub);
  expect(res.status, await res.clone().text()).toBe(200);
  return UsageHistoryResponseSchema.parse(await res.json());
}

describe.each(drivers)("POST /api/track ($name)", (driver) => {
  it("counts events into the limit counters, idempotent by event_id (within and across batches)", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app, 100);
    const e = (id: string, amount: number) => ({
      event_id: id,
      metric: LIMITS.exports,
      amount,
      user_id: "user-1",
    });
    expect(await track(app, [e("a", 2), e("b", 3), e("b", 3)])).toEqual({ accepted: 2, duplicates: 1 });
    expect(await track(app, [e("a", 2), e("c", 1)])).toEqual({ accepted: 1, duplicates: 1 });
    expect(await used(app, LIMITS.exports)).toBe(6);
  });

  it("is one transaction: a batch with one invalid event writes nothing", async () => {
    const { app, store } = await buildTestRuntime({ driver });
    await syncAppLimits(app, 100);
    const res = await post(
      app,
      "/api/track",
      {
        events: [
          { event_id: "ok", metric: LIMITS.exports, amount: 1, user_id: "user-1" },
          { event_id: "bad", metric: "tokens", amount: 1, user_id: "user-1" },
        ],
      },
      null,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: Array<{ path: unknown[] }> }).issues[0]?.path).toEqual([
      "events",
      1,
      "metric",
    ]);
    const n = await store.sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM usage_events WHERE kind = 'track'",
    );
    expect(Number(n?.n)).toBe(0);
  });

  it("lands in the same counter that check consumes from and execute's reservations use", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app, 3);
    await track(app, [{ event_id: "t1", metric: LIMITS.exports, amount: 2, user_id: "user-1" }]);
    const a = await post(app, "/api/check", { limit: LIMITS.exports, consume: true });
    expect(await a.json()).toMatchObject({ allowed: true, used: 3, remaining: 0 });
    const b = await post(app, "/api/check", { limit: LIMITS.exports, consume: true });
    expect(await b.json()).toMatchObject({ allowed: false, reason_code: "limit_exceeded" });
  });

  it("counts an event in the window of its own timestamp, and refuses one far in the future", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app, 100);
    // NOW is 2026-03-15T12:00Z: yesterday's event is in yesterday's daily window.
    await track(app, [
      {
        event_id: "y",
        metric: LIMITS.exports,
        amount: 5,
        user_id: "user-1",
        timestamp: "2026-03-14T10:00:00Z",
      },
    ]);
    expect(await used(app, LIMITS.exports)).toBe(0);
    const res = await post(
      app,
      "/api/track",
      {
        events: [
          {
            event_id: "f",
            metric: LIMITS.exports,
            amount: 1,
            user_id: "user-1",
            timestamp: "2026-03-15T13:00:00Z",
          },
        ],
      },
      null,
    );
    expect(res.status).toBe(400);
  });

  it("with a user token records only the caller's usage; their event ids never collide with another user's", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app, 100);
    expect(await track(app, [{ event_id: "x", metric: LIMITS.exports, amount: 1 }], "user-1")).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    expect(await track(app, [{ event_id: "x", metric: LIMITS.exports, amount: 1 }], "user-2")).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    const other = await post(
      app,
      "/api/track",
      { events: [{ event_id: "y", metric: LIMITS.exports, amount: 1, user_id: "user-2" }] },
      "user-1",
    );
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: string }).error).toBe("user_mismatch");
  });

  it("keeps properties beside the ledger row", async () => {
    const { app, store } = await buildTestRuntime({ driver });
    await syncAppLimits(app, 100);
    await track(app, [
      { event_id: "p", metric: LIMITS.exports, amount: 1, user_id: "user-1", properties: { format: "pdf" } },
    ]);
    const row = await store.sql.get<{ properties: string }>("SELECT properties FROM usage_event_properties");
    expect(JSON.parse(row?.properties ?? "null")).toEqual({ format: "pdf" });
  });
});

describe.each(drivers)("GET /api/usage ($name)", (driver) => {
  async function seed(app: RuntimeApp) {
    await syncAppLimits(app, 1000);
    const at = (id: string, timestamp: string, amount: number, metric: string = LIMITS.exports) => ({
      event_id: id,
      metric,
      amount,
      user_id: "user-1",
      timestamp,
    });
    await track(app, [
      at("1", "2026-01-20T09:10:00Z", 1),
      at("2", "2026-03-14T09:10:00Z", 2),
      at("3", "2026-03-14T09:50:00Z", 3),
      at("4", "2026-03-14T17:00:00Z", 4),
      at("5", "2026-03-15T08:00:00Z", 5),
      at("6", "2026-03-15T08:00:00Z", 6, LIMITS.warned),
      {
        event_id: "other",
        metric: LIMITS.exports,
        amount: 100,
        user_id: "user-2",
        timestamp: "2026-03-15T08:00:00Z",
      },
    ]);
  }

  it("answers the caller's buckets by hour, day and month, oldest first", async () => {
    const { app } = await buildTestRuntime({ driver });
    await seed(app);
    const days = await history(app, `metric=${LIMITS.exports}&from=2026-03-01T00:00:00Z&granularity=day`);
    expect(days.buckets.map((b) => [b.start, b.amount, b.events])).toEqual([
      ["2026-03-14T00:00:00.000Z", 9, 3],
      ["2026-03-15T00:00:00.000Z", 5, 1],
    ]);
    expect(days).toMatchObject({ user_id: "user-1", to: "2026-03-16T00:00:00.000Z", next_cursor: null });
    const hours = await history(
      app,
      `metric=${LIMITS.exports}&from=2026-03-14T00:00:00Z&to=2026-03-15T00:00:00Z&granularity=hour`,
    );
    expect(hours.buckets.map((b) => [b.start, b.end, b.amount])).toEqual([
      ["2026-03-14T09:00:00.000Z", "2026-03-14T10:00:00.000Z", 5],
      ["2026-03-14T17:00:00.000Z", "2026-03-14T18:00:00.000Z", 4],
    ]);
    const months = await history(app, "from=2026-01-01&granularity=month");
    expect(months.buckets.map((b) => [b.metric, b.start, b.end, b.amount])).toEqual([
      [LIMITS.exports, "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", 1],
      [LIMITS.exports, "2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z", 14],
      [LIMITS.warned, "2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z", 6],
    ]);
  });

  it("pages with a bounded size and a cursor, in SQL for hours and days and in memory for months", async () => {
    const { app } = await buildTestRuntime({ driver });
    await seed(app);
    for (const granularity of ["hour", "day", "month"]) {
      const seen: string[] = [];
      let cursor: string | null = "";
      let pages = 0;
      while (cursor !== null) {
        const page = await history(
          app,
          `from=2026-01-01&granularity=${granularity}&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        );
        expect(page.buckets.length).toBeLessThanOrEqual(1);
        seen.push(...page.buckets.map((b) => `${b.start} ${b.metric} ${b.amount}`));
        cursor = page.next_cursor;
        pages++;
        expect(pages).toBeLessThan(10);
      }
      const all = await history(app, `from=2026-01-01&granularity=${granularity}`);
      expect(seen, granularity).toEqual(all.buckets.map((b) => `${b.start} ${b.metric} ${b.amount}`));
    }
    const big = await get(app, "/api/usage?limit=1001");
    expect(big.status).toBe(400);
  });

  it("refuses a bad range, an unknown parameter or a forged cursor (400)", async () => {
    const { app } = await buildTestRuntime({ driver });
    for (const q of [
      "from=2026-03-10&to=2026-03-01",
      "granularity=week",
      "color=red",
      "cursor=abc",
      "from=yesterday",
    ]) {
      const res = await get(app, `/api/usage?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
    }
  });

  it("answers any user's history on the internal route, and only the caller's with a token", async () => {
    const { app } = await buildTestRuntime({ driver });
    await seed(app);
    const res = await get(app, `/api/internal/usage?user_id=user-2&from=2026-03-01`, null);
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { buckets: Array<{ amount: number }> }).buckets.map((b) => b.amount),
    ).toEqual([100]);
    const mine = await get(app, "/api/usage?user_id=user-2");
    expect(mine.status).toBe(403);
    const noKey = await app.request("/api/internal/usage?user_id=user-2");
    expect(noKey.status).toBe(401);
    const noUser = await get(app, "/api/internal/usage", null);
    expect(noUser.status).toBe(400);
  });
});
