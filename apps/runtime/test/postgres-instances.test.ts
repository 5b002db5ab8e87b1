import { createHmac } from "node:crypto";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPgDatabase } from "../../../packages/runtime-server/test/helpers/drivers.js";
import { type Child, EXAMPLE_APP, INTERNAL_KEY, killChildren, spawnRuntime } from "./helpers.js";

// Two real `mozaiks-runtime` processes with the same MOZAIKS_APP_ID and MOZAIKS_DATABASE_URL on
// one PostgreSQL are one logical runtime: limits are exact across them, a sync accepted by one is
// in force on the other within a second, and a run started on one streams from the other.

const SECRET = "two-instances-hs256-secret-0123456789abcdef";

/** An HS256 user token for `sub` (the runtimes share the secret). */
function token(sub: string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub, app_id: "example-app", iat: now, exp: now + 600 })}`;
  return `${body}.${createHmac("sha256", SECRET).update(body).digest("base64url")}`;
}

function env(db: string, appPath: string): Record<string, string> {
  return {
    MOZAIKS_APP_ID: "example-app",
    MOZAIKS_APP_PATH: appPath,
    MOZAIKS_DATABASE_URL: db,
    MOZAIKS_ENV: "development",
    MOZAIKS_AUTH_HS256_SECRET: SECRET,
    MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY,
    MOZAIKS_LOG_LEVEL: "info",
  };
}

async function sync(base: string, manifest: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${base}/api/internal/entitlement/sync`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL_KEY },
    body: JSON.stringify({ app_id: "example-app", ...manifest }),
  });
  expect(res.status, await res.text()).toBe(200);
}

function execute(base: string, sub: string): Promise<Response> {
  return fetch(`${base}/api/execute/echo`, {
    method: "POST",
    headers: { authorization: `Bearer ${token(sub)}`, "content-type": "application/json" },
    body: JSON.stringify({ message: "hi" }),
  });
}

async function limitOn(base: string, sub: string, limitId: string): Promise<number | undefined> {
  const res = await fetch(`${base}/api/entitlements`, { headers: { authorization: `Bearer ${token(sub)}` } });
  const body = (await res.json()) as { limits?: Record<string, { limit?: number }> };
  return body.limits?.[limitId]?.limit;
}

/** Polls `check` every 20 ms until it holds; resolves with the ms it took (rejects after `ms`). */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe("two runtime processes on one PostgreSQL", () => {
  const tmp = tempDir();
  // The example bundle without its pack modules (those are tested in postgres-modules.test.ts).
  const app = join(tmp, "app");
  cpSync(EXAMPLE_APP, app, {
    recursive: true,
    filter: (src) => !src.startsWith(join(EXAMPLE_APP, "modules")),
  });
  let a: Child;
  let b: Child;

  beforeAll(async () => {
    const db = await freshPgDatabase();
    [a, b] = await Promise.all([spawnRuntime(env(db, app)), spawnRuntime(env(db, app))]);
    expect(a.url).not.toBe(b.url);
  }, 120_000);

  afterAll(() => {
    killChildren();
  });

  it("allows exactly one of 100 concurrent requests split across both at 1 remaining unit", async () => {
    const sub = "user-race";
    await sync(a.url, {
      user_id: sub,
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 3 },
      enforcement: { "cap.limit.plugin_calls_daily": "hard" },
      limit_periods: { "cap.limit.plugin_calls_daily": { period: "daily" } },
    });
    await within(5_000, async () => (await limitOn(b.url, sub, "cap.limit.plugin_calls_daily")) === 3);
    // Two of three used, one through each instance.
    expect((await execute(a.url, sub)).status).toBe(200);
    expect((await execute(b.url, sub)).status).toBe(200);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => execute(i % 2 === 0 ? a.url : b.url, sub)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(99);
  }, 60_000);

  it("denies on B within a second of a revoke synced through A", async () => {
    const sub = "user-revoke";
    const granted = {
      user_id: sub,
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 1000 },
    };
    await sync(a.url, granted);
    await within(5_000, async () => (await execute(b.url, sub)).status === 200);
    await sync(a.url, { ...granted, capabilities: [] });
    const took = await within(1_000, async () => (await execute(b.url, sub)).status === 403);
    expect(took).toBeLessThanOrEqual(1_000);
  }, 60_000);

  it("streams on B the events of a run started on A", async () => {
    const sub = "user-run";
    const auth = { authorization: `Bearer ${token(sub)}` };
    const res = await fetch(`${a.url}/api/workflows/summarize/runs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ input: { text: "Mozaiks enforces capabilities. Plans map to capabilities." } }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { events_url } = (await res.json()) as { events_url: string };
    const onB = await (await fetch(`${b.url}${events_url}`, { headers: auth })).text();
    const onA = await (await fetch(`${a.url}${events_url}`, { headers: auth })).text();
    const kinds = (sse: string) => [...sse.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(kinds(onB)[0]).toBe("orchestration.run_started");
    expect(kinds(onB).at(-1)).toBe("orchestration.run_completed");
    expect(onB).toBe(onA);
  }, 60_000);
});
