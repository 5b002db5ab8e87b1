import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { whenFresh } from "../../src/control/entitlements/freshness.js";
import { openStore } from "../../src/store/db.js";
import { NOW } from "../helpers/keys.js";
import { buildTestRuntime, internal } from "../helpers/runtime.js";
import { platformKeys } from "../helpers/signing.js";

// A signed document stays valid after a newer one replaced it: replaying the old one must not
// undo a downgrade. Documents are ordered by issued_at per subject (the app, or one user).

const SYNC = "/api/internal/entitlement/sync";
const LEGACY = "/api/internal/subscription/sync";
const { signer, jwks } = platformKeys();
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString().replace(/\.\d{3}Z$/, "Z");

type App = Awaited<ReturnType<typeof buildTestRuntime>>["app"];

async function inForce(app: App, userId: string | undefined) {
  return app.runtime.ctx.state.resolve(userId);
}

describe("no rollback: 409 manifest_stale", () => {
  for (const scope of ["app", "user"] as const) {
    it(`refuses a signed ${scope}-level manifest issued before the one in force`, async () => {
      const { app, store } = await buildTestRuntime({ appPath: undefined, entitlementKeys: { jwks } });
      const who = scope === "user" ? { user_id: "user-1" } : {};
      const pro = signer.sign({
        app_id: "example-app",
        ...who,
        capabilities: ["cap.tool.basic", "cap.tool.report_export"],
        issued_at: at(-3_600_000),
      });
      const downgrade = signer.sign({
        app_id: "example-app",
        ...who,
        capabilities: ["cap.tool.basic"],
        issued_at: at(-60_000),
      });
      expect((await app.request(SYNC, internal(pro))).status).toBe(200);
      expect((await app.request(SYNC, internal(downgrade))).status).toBe(200);
      const replay = await app.request(SYNC, internal(pro));
      expect(replay.status).toBe(409);
      expect(await replay.json()).toMatchObject({
        error: "manifest_stale",
        reason: "older",
        scope,
        issued_at: pro.issued_at,
        current_issued_at: downgrade.issued_at,
      });
      const now = await inForce(app, scope === "user" ? "user-1" : undefined);
      expect(now.evaluator.capabilities).toEqual(["cap.tool.basic"]);
      await app.runtime.ctx.audit.flush();
      const rows = store.sqlite
        .prepare("select result, details from audit_events where event_type = 'entitlement_sync'")
        .all() as Array<{ result: string; details: string }>;
      expect(rows.map((r) => r.result)).toEqual(["applied", "applied", "denied"]);
      expect(JSON.parse(rows[2]?.details ?? "{}")).toMatchObject({
        error: "manifest_stale",
        reason: "older",
      });
    });
  }

  it("accepts an identical replay at the same issued_at and refuses different content", async () => {
    const { app } = await buildTestRuntime({ appPath: undefined, entitlementKeys: { jwks } });
    const doc = signer.sign({ app_id: "example-app", capabilities: ["cap.tool.basic"], issued_at: at(0) });
    expect((await app.request(SYNC, internal(doc))).status).toBe(200);
    expect((await app.request(SYNC, internal(doc))).status).toBe(200);
    const other = signer.sign({ app_id: "example-app", capabilities: ["cap.tool.x"], issued_at: at(0) });
    const res = await app.request(SYNC, internal(other));
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: "manifest_stale", reason: "conflict" });
  });

  it("orders each subject on its own: an old manifest for another user is still accepted", async () => {
    const { app } = await buildTestRuntime({ appPath: undefined, entitlementKeys: { jwks } });
    const mk = (user: string, issued: string) =>
      signer.sign({
        app_id: "example-app",
        user_id: user,
        capabilities: ["cap.tool.basic"],
        issued_at: issued,
      });
    expect((await app.request(SYNC, internal(mk("user-1", at(0))))).status).toBe(200);
    expect((await app.request(SYNC, internal(mk("user-2", at(-86_400_000))))).status).toBe(200);
  });

  it("refuses a signed v1.1 payload issued before the one in force", async () => {
    const { app } = await buildTestRuntime({ appPath: undefined, entitlementKeys: { jwks } });
    const v11 = (issued: string, limit: number) =>
      signer.sign({
        version: "1.1",
        app_id: "example-app",
        user_id: "user-1",
        rate_limits: { plugin_calls_daily: limit },
        issued_at: issued,
      });
    expect((await app.request(SYNC, internal(v11(at(-1000), 5)))).status).toBe(200);
    expect((await app.request(SYNC, internal(v11(at(0), 1)))).status).toBe(200);
    const res = await app.request(SYNC, internal(v11(at(-1000), 5)));
    expect(res.status).toBe(409);
    expect((await inForce(app, "user-1")).evaluator.limits).toEqual({ "cap.limit.plugin_calls_daily": 1 });
  });

  it("serializes concurrent syncs for one subject: the newest wins whatever the arrival order", async () => {
    const { app } = await buildTestRuntime({ appPath: undefined, entitlementKeys: { jwks } });
    const docs = Array.from({ length: 8 }, (_, i) =>
      signer.sign({
        app_id: "example-app",
        user_id: "user-1",
        capabilities: [`cap.tool.v${i}`],
        issued_at: at(i * 1000),
      }),
    );
    const answers = await Promise.all([...docs].reverse().map((d) => app.request(SYNC, internal(d))));
    expect(answers[0]?.status).toBe(200);
    expect(answers.slice(1).map((r) => r.status)).toEqual(Array(7).fill(409));
    expect((await inForce(app, "user-1")).evaluator.capabilities).toEqual(["cap.tool.v7"]);
  });
});

describe("no rollback across instances sharing one database", () => {
  it("does not let a sync that compared against a row another instance replaced overwrite it", async () => {
    const tmp = tempDir();
    const dbPath = join(tmp, "runtime.db");
    const a = await buildTestRuntime({
      appPath: undefined,
      entitlementKeys: { jwks },
      store: openStore(dbPath),
    });
    const b = await buildTestRuntime({
      appPath: undefined,
      entitlementKeys: { jwks },
      store: openStore(dbPath),
    });
    const doc = (caps: string[], issued: string) =>
      signer.sign({ app_id: "example-app", user_id: "user-1", capabilities: caps, issued_at: issued });
    expect((await a.app.request(SYNC, internal(doc(["cap.tool.v0"], at(0))))).status).toBe(200);
    const older = doc(["cap.tool.v1"], at(1000));
    const newer = doc(["cap.tool.v2"], at(2000));
    const subject = { scope: "user" as const, id: "user-1" };
    const state = a.app.runtime.ctx.state;
    // Instance A compares `older` against v0 and passes; before it writes, instance B accepts
    // `newer`. A's write must not land on B's row: A compares again and finds itself stale.
    let attempts = 0;
    const outcome = whenFresh(
      older,
      subject,
      { state, audit: a.app.runtime.ctx.audit },
      { format: "manifest" },
      async (expected) => {
        attempts++;
        if (attempts === 1) expect((await b.app.request(SYNC, internal(newer))).status).toBe(200);
        return (await state.setUser("user-1", older, "runtime", expected)) ? "written" : undefined;
      },
    );
    await expect(outcome).rejects.toMatchObject({ code: "manifest_stale", details: { reason: "older" } });
    expect(attempts).toBe(1);
    const row = a.store.sqlite
      .prepare("select manifest from entitlements where scope = 'user' and subject_id = 'user-1'")
      .get() as { manifest: string };
    expect(JSON.parse(row.manifest).capabilities).toEqual(["cap.tool.v2"]);
    await a.app.runtime.close();
  });
});

describe("no rollback at start: an older bundle file than the persisted manifest", () => {
  it("keeps the persisted app manifest when a redeployed bundle file is older", async () => {
    const tmp = tempDir();
    const dbPath = join(tmp, "runtime.db");
    const bundle = join(tmp, "bundle");
    const manifestAt = (issued: string, caps: string[]) => ({
      app_id: "example-app",
      capabilities: caps,
      issued_at: issued,
    });
    mkdirSync(bundle);
    const write = (doc: unknown) =>
      writeFileSync(join(bundle, "entitlement_manifest.json"), JSON.stringify(doc));

    write(manifestAt(at(-1000), ["cap.tool.old"]));
    const first = await buildTestRuntime({ appPath: bundle, store: openStore(dbPath) });
    await first.app.runtime.close();
    write(manifestAt(at(0), ["cap.tool.new"]));
    const second = await buildTestRuntime({ appPath: bundle, store: openStore(dbPath) });
    expect((await inForce(second.app, undefined)).evaluator.capabilities).toEqual(["cap.tool.new"]);
    await second.app.runtime.close();

    write(manifestAt(at(-1000), ["cap.tool.old"])); // the old file comes back
    const third = await buildTestRuntime({ appPath: bundle, store: openStore(dbPath) });
    const resolved = await inForce(third.app, undefined);
    expect(resolved.evaluator.capabilities).toEqual(["cap.tool.new"]);
    expect(resolved.source).toMatch(/^file:/);
    await third.app.runtime.ctx.audit.flush();
    const rows = third.store.sqlite
      .prepare("select result, details from audit_events where event_type = 'entitlement_sync'")
      .all() as Array<{ result: string; details: string }>;
    expect(rows.map((r) => r.result)).toContain("denied");
  });
});

describe("manifests derived from v1.1 payloads and legacy syncs expire", () => {
  it("gives an undated v1.1 payload now + MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS, then fails closed", async () => {
    const { app, clock } = await buildTestRuntime({
      appPath: undefined,
      env: { MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS: "60" },
    });
    const res = await app.request(
      SYNC,
      internal({ version: "1.1", app_id: "example-app", user_id: "user-1", features: { export: true } }),
    );
    expect(res.status).toBe(200);
    const synced = await inForce(app, "user-1");
    expect(synced.manifest.expires_at).toBe(new Date(NOW.getTime() + 60_000).toISOString());
    expect(synced.evaluator.capabilities).toEqual(["cap.feature.export"]);
    clock.advance(61_000);
    const later = await inForce(app, "user-1");
    expect(later.source).toBe("expired:runtime");
    expect(later.evaluator.capabilities).toEqual([]);
  });

  it("keeps a v1.1 payload's own earlier expires_at, and refuses one issued longer ago than the TTL", async () => {
    const { app } = await buildTestRuntime({ appPath: undefined });
    const base = { version: "1.1", app_id: "example-app", user_id: "user-1", features: { export: true } };
    const soon = at(600_000);
    expect((await app.request(SYNC, internal({ ...base, expires_at: soon }))).status).toBe(200);
    expect(Date.parse((await inForce(app, "user-1")).manifest.expires_at as string)).toBe(Date.parse(soon));
    const old = await app.request(SYNC, internal({ ...base, issued_at: at(-2 * 86_400_000) }));
    expect(old.status).toBe(403);
    expect(await old.json()).toMatchObject({ error: "manifest_signature_invalid", reason: "expired" });
  });

  it("ends a legacy-derived manifest at the earlier of the catalog's expiry and the TTL", async () => {
    const tmp = tempDir();
    const catalog = {
      default_plan: "free",
      expires_at: at(3_600_000),
      plans: {
        free: { display_name: "Free", capabilities: ["cap.tool.basic"], limits: {}, enforcement: {} },
        pro: {
          display_name: "Pro",
          capabilities: ["cap.tool.basic", "cap.tool.x"],
          limits: {},
          enforcement: {},
        },
      },
    };
    writeFileSync(join(tmp, "plan_catalog.json"), JSON.stringify(catalog));
    const short = await buildTestRuntime({ appPath: tmp });
    expect(
      (await short.app.request(LEGACY, internal({ userId: "u", plan: "pro", status: "active" }))).status,
    ).toBe(200);
    expect((await inForce(short.app, "u")).manifest.expires_at).toBe(
      new Date(Date.parse(catalog.expires_at)).toISOString(),
    );
    await short.app.runtime.close();
    const ttl = await buildTestRuntime({
      appPath: tmp,
      env: { MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS: "120" },
    });
    await ttl.app.request(LEGACY, internal({ userId: "u", plan: "pro", status: "active" }));
    expect((await inForce(ttl.app, "u")).manifest.expires_at).toBe(
      new Date(NOW.getTime() + 120_000).toISOString(),
    );
  });

  it("refuses MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS that is not a positive integer", async () => {
    await expect(
      buildTestRuntime({ appPath: undefined, env: { MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS: "0" } }),
    ).rejects.toMatchObject({ problems: [expect.stringContaining("MOZAIKS_SYNCED_MANIFEST_TTL_SECONDS")] });
  });
});
