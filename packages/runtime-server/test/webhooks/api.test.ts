import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it, onTestFinished } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { openStore } from "../../src/store/db.js";
import { INTERNAL_KEY, signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, EXAMPLE_APP, internal } from "../helpers/runtime.js";
import { syncManifest } from "../workflows/helpers.js";
import { Receiver } from "./receiver.js";

const SECRET = `whsec_${Buffer.from("fedcba9876543210fedcba9876543210").toString("base64")}`;
const ENV = { MOZAIKS_WEBHOOK_POLL_MS: "600000" };
const KEY = { "x-internal-api-key": INTERNAL_KEY };

async function runtime(opts: Parameters<typeof buildTestRuntime>[0] = {}) {
  const built = await buildTestRuntime({ ...opts, env: { ...ENV, ...opts.env } });
  return built;
}

async function receiver(): Promise<Receiver> {
  const r = new Receiver(SECRET);
  await r.up();
  onTestFinished(() => r.down());
  return r;
}

const subscribe = (app: RuntimeApp, body: Record<string, unknown>) =>
  app.request("/api/internal/webhooks", internal(body));

/** A copy of the example bundle with `webhooks` as its webhooks.json. */
function bundleWith(webhooks: unknown): string {
  const t = tempDir("mozaiks-webhooks-");
  cpSync(EXAMPLE_APP, t, { recursive: true });
  writeFileSync(join(t, "webhooks.json"), JSON.stringify(webhooks));
  return t;
}

describe("internal webhook API", () => {
  it("creates (a generated secret shown once), lists without secrets, replaces and deletes subscriptions", async () => {
    const { app } = await runtime();
    const created = await subscribe(app, { id: "platform", url: "https://platform.example/hooks" });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { secret: string; thresholds: number[]; event_types: string[] };
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.thresholds).toEqual([80, 100]);
    expect(body.event_types).toHaveLength(5);
    const replaced = await subscribe(app, {
      id: "platform",
      url: "https://platform.example/hooks/v2",
      limit_thresholds: { "cap.limit.seats": [90, 50] },
    });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).not.toHaveProperty("secret");
    const list = await app.request("/api/internal/webhooks", { headers: KEY });
    const { subscriptions } = (await list.json()) as { subscriptions: Array<Record<string, unknown>> };
    expect(subscriptions).toEqual([
      expect.objectContaining({
        id: "platform",
        url: "https://platform.example/hooks/v2",
        source: "api",
        limit_thresholds: { "cap.limit.seats": [50, 90] },
      }),
    ]);
    expect(JSON.stringify(subscriptions)).not.toContain("whsec_");
    // The secret survives a replacement that does not name one.
    expect((await app.runtime.ctx.webhooks.store.subscription("platform"))?.secret).toBe(body.secret);
    const del = () => app.request("/api/internal/webhooks/platform", { method: "DELETE", headers: KEY });
    expect((await del()).status).toBe(204);
    const gone = await del();
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: string }).error).toBe("webhook_not_found");
  });

  it("refuses bad subscriptions and queries with 400, and needs the internal key", async () => {
    const { app } = await runtime();
    for (const bad of [
      { id: "x", url: "ftp://platform.example" },
      { id: "x", url: "https://platform.example", secret: "not-a-secret" },
      { id: "x", url: "https://platform.example", event_types: ["limit.nope"] },
      { id: "x", url: "https://platform.example", thresholds: [0] },
      { id: "bad id!", url: "https://platform.example" },
    ]) {
      const res = await subscribe(app, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
    }
    const q = await app.request("/api/internal/webhooks/deliveries?status=lost", { headers: KEY });
    expect(q.status).toBe(400);
    expect((await app.request("/api/internal/webhooks")).status).toBe(401);
    expect((await app.request("/api/internal/webhooks/deliveries/msg_x", { headers: KEY })).status).toBe(404);
  });
});

describe("webhooks.json of the app bundle", () => {
  it("installs the bundle's subscriptions (secret from the environment), read-only through the API", async () => {
    const r = await receiver();
    const appPath = bundleWith({
      subscriptions: [
        {
          id: "billing",
          url: r.url,
          secret_env: "MOZAIKS_TEST_WEBHOOK_SECRET",
          event_types: ["manifest.replaced"],
        },
      ],
    });
    const { app } = await runtime({ appPath, env: { MOZAIKS_TEST_WEBHOOK_SECRET: SECRET } });
    const list = (await (await app.request("/api/internal/webhooks", { headers: KEY })).json()) as {
      subscriptions: Array<{ id: string; source: string }>;
    };
    expect(list.subscriptions.map((s) => [s.id, s.source])).toEqual([["billing", "bundle"]]);
    const overwrite = await subscribe(app, { id: "billing", url: "https://elsewhere.example" });
    expect(overwrite.status).toBe(409);
    expect(((await overwrite.json()) as { error: string }).error).toBe("conflict");
    await syncManifest(app, { capabilities: [], limits: {} });
    await app.runtime.settle();
    expect(r.processed.map((x) => x.payload.type)).toEqual(["manifest.replaced"]);
  });

  it("refuses to start on an invalid webhooks.json, naming the file and the problem", async () => {
    for (const [doc, message] of [
      [{ subscriptions: [{ id: "a", url: "nope", secret: SECRET }] }, /webhooks\.json.*http/],
      [
        { subscriptions: [{ id: "a", url: "https://x.example" }] },
        /webhooks\.json.*exactly one of secret and secret_env/,
      ],
      [
        { subscriptions: [{ id: "a", url: "https://x.example", secret_env: "MOZAIKS_UNSET_SECRET" }] },
        /MOZAIKS_UNSET_SECRET is not set/,
      ],
      [
        {
          subscriptions: [
            { id: "a", url: "https://x.example", secret: SECRET },
            { id: "a", url: "https://y.example", secret: SECRET },
          ],
        },
        /listed twice/,
      ],
    ] as const) {
      const { app } = await buildTestRuntime({ appPath: bundleWith(doc), start: false });
      await expect(app.runtime.start()).rejects.toThrow(message);
      await app.runtime.close();
    }
  });
});

describe("manifest and anomaly events", () => {
  it("announces a manifest expiring within the lead time once, with what it replaced", async () => {
    const r = await receiver();
    const { app, clock } = await runtime();
    await subscribe(app, {
      id: "platform",
      url: r.url,
      secret: SECRET,
      event_types: ["manifest.expiring", "manifest.replaced"],
      manifest_expiring_lead_seconds: 7200,
    });
    const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
    await syncManifest(app, { capabilities: [], limits: {}, expires_at: at(3 * 3_600_000) });
    expect(await app.runtime.ctx.webhooks.checkExpiring()).toBe(0); // 3 h left, lead 2 h
    clock.advance(3_600_000 + 1_000);
    expect(await app.runtime.ctx.webhooks.checkExpiring()).toBe(1);
    expect(await app.runtime.ctx.webhooks.checkExpiring()).toBe(0);
    await syncManifest(app, { capabilities: ["cap.tool.basic"], limits: {}, expires_at: at(86_400_000) });
    await app.runtime.settle();
    const [replaced1, expiring, replaced2] = r.processed.map((x) => x.payload);
    // The first sync replaced the bundle's manifest.
    expect(replaced1?.data.previous).toMatchObject({ issued_at: expect.any(String) });
    expect(expiring).toMatchObject({
      type: "manifest.expiring",
      data: { subject: { scope: "app", id: "example-app" }, seconds_left: 7199, source: "runtime" },
    });
    expect(replaced2).toMatchObject({
      type: "manifest.replaced",
      data: { previous: { expires_at: expiring?.data.expires_at }, current: { capabilities: 1 } },
    });
  });

  it("reports anomaly.detected when the same limit is hit again and again", async () => {
    const r = await receiver();
    const { app } = await runtime();
    await subscribe(app, { id: "platform", url: r.url, secret: SECRET, event_types: ["anomaly.detected"] });
    await syncManifest(app, {
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 0 },
      enforcement: { "cap.limit.plugin_calls_daily": "hard" },
    });
    const token = await signToken({ sub: "user-7" });
    for (let i = 0; i < 3; i++) {
      const res = await app.request("/api/execute/echo", {
        method: "POST",
        headers: { ...bearer(token), "content-type": "application/json" },
        body: "{}",
      });
      expect(res.status).toBe(429);
    }
    await app.runtime.settle();
    expect(r.processed.map((x) => x.payload)).toEqual([
      expect.objectContaining({
        type: "anomaly.detected",
        data: expect.objectContaining({ app_id: "example-app", user_id: "user-7", count: 3 }),
      }),
    ]);
  });
});

describe("several instances on one database", () => {
  it("queue a threshold once between them, and either delivers it", async () => {
    const r = await receiver();
    const t = tempDir("mozaiks-webhooks-db-");
    const path = join(t, "rt.db");
    const a = await runtime({ store: openStore(path) });
    const b = await runtime({ store: openStore(path) });
    await subscribe(a.app, {
      id: "platform",
      url: r.url,
      secret: SECRET,
      event_types: ["limit.threshold_reached"],
      thresholds: [50],
    });
    await b.app.runtime.ctx.webhooks.reload();
    await syncManifest(a.app, {
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 4 },
      enforcement: { "cap.limit.plugin_calls_daily": "hard" },
    });
    await b.app.runtime.ctx.state.refresh();
    const token = await signToken({ sub: "user-1" });
    const call = (app: RuntimeApp) =>
      app.request("/api/execute/echo", {
        method: "POST",
        headers: { ...bearer(token), "content-type": "application/json" },
        body: "{}",
      });
    const statuses = await Promise.all([call(a.app), call(b.app), call(a.app), call(b.app)]);
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 200]);
    await Promise.all([a.app.runtime.settle(), b.app.runtime.settle()]);
    expect(r.processed.map((x) => [x.payload.type, x.payload.data.threshold_percent])).toEqual([
      ["limit.threshold_reached", 50],
    ]);
  });
});
