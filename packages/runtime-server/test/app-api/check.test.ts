import { CheckResponseSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { drivers } from "../helpers/drivers.js";
import { buildTestRuntime } from "../helpers/runtime.js";
import { LIMITS, post, syncAppLimits } from "./helpers.js";

async function check(app: RuntimeApp, body: Record<string, unknown>, sub: string | null = "user-1") {
  const res = await post(app, "/api/check", body, sub);
  expect(res.status, await res.clone().text()).toBe(200);
  return { res, body: CheckResponseSchema.parse(await res.json()) };
}

async function exportsUsed(app: RuntimeApp): Promise<number> {
  const { body } = await check(app, { limit: LIMITS.exports, requested: 1 });
  return body.used as number;
}

describe.each(drivers)("POST /api/check: capabilities ($name)", (driver) => {
  it("answers 200 allowed / denied with a reason code and the entitlements version", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app);
    const yes = await check(app, { capability: "cap.feature.export" });
    expect(yes.body).toMatchObject({
      allowed: true,
      reason_code: "granted",
      capability: "cap.feature.export",
      user_id: "user-1",
      limit_value: null,
      consumed: 0,
    });
    const no = await check(app, { capability: "cap.feature.sso" });
    expect(no.body).toMatchObject({ allowed: false, reason_code: "capability_missing" });
    expect(yes.res.headers.get("x-mozaiks-entitlements-version")).toMatch(/^[\w-]{16}$/);
  });

  it("changes the entitlements version when a sync changes the capabilities, not when usage moves", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app);
    const version = async () =>
      (await check(app, { capability: "cap.feature.export" })).res.headers.get(
        "x-mozaiks-entitlements-version",
      );
    const v1 = await version();
    await check(app, { limit: LIMITS.exports, consume: true });
    expect(await version()).toBe(v1);
    await syncAppLimits(app, 4);
    expect(await version()).not.toBe(v1);
  });

  it("with the internal key decides for the named user, and requires one", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app);
    const { body } = await check(app, { capability: "cap.feature.export", user_id: "bob" }, null);
    expect(body).toMatchObject({ allowed: true, user_id: "bob" });
    const missing = await post(app, "/api/check", { capability: "cap.feature.export" }, null);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("refuses a user token naming another user (403 user_mismatch)", async () => {
    const { app } = await buildTestRuntime({ driver });
    const res = await post(app, "/api/check", { capability: "cap.feature.export", user_id: "bob" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe("user_mismatch");
  });

  it("rejects a body that is neither a capability nor a limit check (400)", async () => {
    const { app } = await buildTestRuntime({ driver });
    for (const body of [{}, { capability: "nope" }, { capability: "cap.feature.x", limit: LIMITS.exports }]) {
      const res = await post(app, "/api/check", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe.each(drivers)("POST /api/check: limits ($name)", (driver) => {
  it("reports value, usage, remaining, period, reset time and enforcement without consuming", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app);
    const { body } = await check(app, { limit: LIMITS.exports, requested: 2 });
    expect(body).toEqual({
      allowed: true,
      reason_code: "within_limit",
      user_id: "user-1",
      limit: LIMITS.exports,
      limit_value: 3,
      used: 0,
      remaining: 3,
      period: "daily",
      resets_at: "2026-03-16T00:00:00.000Z",
      enforcement: "hard",
      consumed: 0,
    });
    expect((await check(app, { limit: LIMITS.exports, requested: 4 })).body).toMatchObject({
      allowed: false,
      reason_code: "limit_exceeded",
    });
    expect(await exportsUsed(app)).toBe(0);
  });

  it("consumes atomically: the units are taken only while they fit, and a denial takes nothing", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app);
    const first = await check(app, { limit: LIMITS.exports, requested: 2, consume: true });
    expect(first.body).toMatchObject({ allowed: true, used: 2, remaining: 1, consumed: 2 });
    const over = await check(app, { limit: LIMITS.exports, requested: 2, consume: true });
    expect(over.body).toMatchObject({ allowed: false, reason_code: "limit_exceeded", used: 2, consumed: 0 });
    const last = await check(app, { limit: LIMITS.exports, consume: true });
    expect(last.body).toMatchObject({ allowed: true, used: 3, remaining: 0 });
    expect(await exportsUsed(app)).toBe(3);
  });

  it("shares the counter with execute's reservation path (the same limit, the same units)", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncManifest2(app);
    await check(app, { limit: "cap.limit.plugin_calls_daily", consume: true });
    const exec = await post(app, "/api/execute/echo", { message: "hi" });
    expect(exec.status).toBe(200);
    const denied = await post(app, "/api/execute/echo", { message: "hi" });
    expect(denied.status).toBe(429);
    const { body } = await check(app, { limit: "cap.limit.plugin_calls_daily" });
    expect(body).toMatchObject({ used: 2, remaining: 0, allowed: false });
  });

  it("replays the first decision for a repeated idempotency_key without consuming again", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app);
    const q = { limit: LIMITS.exports, requested: 2, consume: true, idempotency_key: "order-42" };
    const first = await check(app, q);
    const again = await check(app, q);
    expect(first.body).toMatchObject({ allowed: true, consumed: 2, used: 2 });
    expect(again.body).toEqual({ ...first.body, replayed: true });
    expect(await exportsUsed(app)).toBe(2);
    // A denial is a decision too: its key keeps answering "denied" even after units free up.
    const denied = await check(app, { ...q, idempotency_key: "order-43" });
    expect(denied.body.allowed).toBe(false);
    expect((await check(app, { ...q, idempotency_key: "order-43" })).body).toMatchObject({
      allowed: false,
      replayed: true,
    });
    // Keys are per user: another user's same key is a new decision (on the app's shared counter).
    expect((await check(app, { ...q, requested: 1 }, "user-2")).body).toMatchObject({ consumed: 1, used: 3 });
  });

  it("answers 409 idempotency_conflict when a key is reused for a different check", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app);
    await check(app, { limit: LIMITS.exports, consume: true, idempotency_key: "k" });
    const res = await post(app, "/api/check", {
      limit: LIMITS.exports,
      requested: 2,
      consume: true,
      idempotency_key: "k",
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe("idempotency_conflict");
  });

  it("consumes exactly once when the same key arrives many times at once", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app, 100);
    const q = { limit: LIMITS.exports, requested: 5, consume: true, idempotency_key: "burst" };
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(app, "/api/check", q)));
    const ok = answers.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    for (const r of answers) expect([200, 409]).toContain(r.status);
    expect(await exportsUsed(app)).toBe(5);
  });

  it("allows over the limit with a warning under warn, and without one under none", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app);
    await check(app, { limit: LIMITS.warned, consume: true });
    const warned = await check(app, { limit: LIMITS.warned, consume: true });
    expect(warned.body).toMatchObject({ allowed: true, reason_code: "exceeded_warn", used: 2, consumed: 1 });
    expect(warned.body.warning).toMatch(/reports_daily/);
    expect(warned.res.headers.get("x-mozaiks-entitlement-warning")).toBe(warned.body.warning);
    await check(app, { limit: LIMITS.unenforced, consume: true });
    const none = await check(app, { limit: LIMITS.unenforced, requested: 5 });
    expect(none.body).toMatchObject({ allowed: true, reason_code: "not_enforced", enforcement: "none" });
    expect(none.body.warning).toBeUndefined();
  });

  it("treats a limit the manifest does not define as unlimited, and a per-run limit as the launch scope's", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app);
    expect((await check(app, { limit: "cap.limit.unknown_daily", consume: true })).body).toMatchObject({
      allowed: true,
      reason_code: "unlimited",
      limit_value: -1,
      remaining: null,
      consumed: 0,
    });
    expect((await check(app, { limit: LIMITS.perRun, requested: 4 })).body).toMatchObject({
      allowed: true,
      reason_code: "per_run",
      period: "run",
      resets_at: null,
    });
    expect((await check(app, { limit: LIMITS.perRun, requested: 11 })).body.allowed).toBe(false);
  });

  it("counts a gauge (period none) for ever and reports no reset", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app);
    const { body } = await check(app, { limit: LIMITS.seats, requested: 2, consume: true });
    expect(body).toMatchObject({ allowed: true, period: "none", resets_at: null, remaining: 0 });
  });
});

/** An app manifest where execute reserves `cap.limit.plugin_calls_daily` (2 a day). */
async function syncManifest2(app: RuntimeApp): Promise<void> {
  const { syncManifest } = await import("../workflows/helpers.js");
  await syncManifest(app, {
    capabilities: ["cap.tool.basic"],
    limits: { "cap.limit.plugin_calls_daily": 2 },
    limit_periods: { "cap.limit.plugin_calls_daily": { period: "daily" } },
  });
}

describe.each(drivers)("GET /api/entitlements validators ($name)", (driver) => {
  it("answers a weak ETag, 304 for a matching If-None-Match, and a new ETag once usage moves", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncAppLimits(app);
    const { signToken } = await import("../helpers/keys.js");
    const headers = { authorization: `Bearer ${await signToken()}` };
    const first = await app.request("/api/entitlements", { headers });
    const tag = first.headers.get("etag") as string;
    expect(tag).toMatch(/^W\/"/);
    expect(first.headers.get("x-mozaiks-entitlements-version")).toMatch(/^[\w-]{16}$/);
    const same = await app.request("/api/entitlements", { headers: { ...headers, "if-none-match": tag } });
    expect(same.status).toBe(304);
    await check(app, { limit: LIMITS.exports, consume: true });
    const moved = await app.request("/api/entitlements", { headers: { ...headers, "if-none-match": tag } });
    expect(moved.status).toBe(200);
    expect(moved.headers.get("etag")).not.toBe(tag);
    expect(moved.headers.get("x-mozaiks-entitlements-version")).toBe(
      first.headers.get("x-mozaiks-entitlements-version"),
    );
  });
});

describe.each(drivers)("POST /api/check and /api/track auth ($name)", (driver) => {
  it("judges a request carrying the internal key by the key alone: a wrong key is 401 even beside a valid token", async () => {
    const { app } = await buildTestRuntime({ driver });
    const { signToken } = await import("../helpers/keys.js");
    for (const [path, body] of [
      ["/api/check", { capability: "cap.tool.basic", user_id: "user-1" }],
      ["/api/track", { events: [{ event_id: "e", metric: LIMITS.exports, amount: 1 }] }],
    ] as const) {
      const res = await app.request(path, {
        method: "POST",
        headers: {
          authorization: `Bearer ${await signToken()}`,
          "x-internal-api-key": "wrong",
          "content-type": "application/json",
        },
        body: JSON.stringify(body),
      });
      expect(res.status, path).toBe(401);
    }
  });
});
