import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EntitlementsResponseSchema } from "@mozaiks/contracts";
import { HmacManifestSigner } from "@mozaiks/entitlements-core";
import { describe, expect, it } from "vitest";
import { drivers } from "../helpers/drivers.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, EXAMPLE_APP, internal } from "../helpers/runtime.js";
import { platformKeys } from "../helpers/signing.js";

const SYNC = "/api/internal/entitlement/sync";
const LEGACY = "/api/internal/subscription/sync";

async function entitlementsOf(app: Awaited<ReturnType<typeof buildTestRuntime>>["app"], sub = "user-1") {
  const res = await app.request("/api/entitlements", { headers: bearer(await signToken({ sub })) });
  expect(res.status).toBe(200);
  return EntitlementsResponseSchema.parse(await res.json());
}

const v11 = (over: Record<string, unknown> = {}) => ({
  version: "1.1",
  app_id: "example-app",
  user_id: "user-1",
  plan: { id: "pro", name: "Pro", tier: "pro", status: "active", expires_at: null },
  token_budget: { period: "monthly", total_tokens: { limit: 1000, used: 400, enforcement: "hard" } },
  features: { export: true, beta: false },
  rate_limits: { plugin_calls_daily: 5 },
  ...over,
});

describe.each(drivers)("entitlement sync (v1.1 and manifests) ($name)", (driver) => {
  it("shows the app-level manifest from the bundle to a user without their own", async () => {
    const { app } = await buildTestRuntime({ driver });
    const e = await entitlementsOf(app);
    expect(e.source).toMatch(/^file:.*entitlement_manifest\.json$/);
    expect(e.capabilities).toContain("cap.tool.word_count");
    // The bundle is re-signed by `mozaiks bundle write`; compare with what it grants.
    const bundle = JSON.parse(readFileSync(join(EXAMPLE_APP, "entitlement_manifest.json"), "utf8"));
    const tokens = bundle.metadata.limits["cap.limit.tokens_monthly"] as number;
    expect(e.limits["cap.limit.tokens_monthly"]).toEqual({
      limit: tokens,
      used: 0,
      remaining: tokens,
      enforcement: bundle.enforcement["cap.limit.tokens_monthly"],
      period: "monthly",
      resets_at: "2026-04-01T00:00:00.000Z",
    });
    expect(e.plan).toMatchObject({ tier: "starter" });
  });

  it("normalizes a v1.1 payload into a user-scoped manifest that overrides the app one", async () => {
    const { app } = await buildTestRuntime({ driver });
    const res = await app.request(SYNC, internal(v11()));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "synced",
      format: "v1.1",
      scope: "user",
      user_id: "user-1",
    });
    const mine = await entitlementsOf(app, "user-1");
    expect(mine.source).toBe("runtime");
    expect(mine.capabilities).toEqual(["cap.feature.export"]);
    expect(mine.limits["cap.limit.tokens_monthly"]).toMatchObject({
      limit: 1000,
      used: 400,
      remaining: 600,
      enforcement: "hard",
    });
    expect(mine.limits["cap.limit.plugin_calls_daily"]).toMatchObject({ limit: 5, period: "daily" });
    const other = await entitlementsOf(app, "user-2");
    expect(other.source).toMatch(/^file:/);
  });

  it("replaces the app-level manifest with a synced capability manifest", async () => {
    const { app } = await buildTestRuntime({ driver });
    const res = await app.request(
      SYNC,
      internal({ app_id: "example-app", capabilities: ["cap.tool.report_export"] }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ scope: "app", format: "manifest" });
    const e = await entitlementsOf(app, "anyone");
    expect(e.capabilities).toEqual(["cap.tool.report_export"]);
  });

  it("rejects a payload for another app with 403 tenant_isolation and audits it", async () => {
    const { app, store } = await buildTestRuntime({ driver });
    const res = await app.request(SYNC, internal(v11({ app_id: "other-app" })));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "tenant_isolation", actual_app_id: "other-app" });
    await app.runtime.ctx.audit.flush();
    const rows = await store.sql.all(
      "select event_type, result, subject from audit_events where event_type = 'tenant_isolation'",
    );
    expect(rows).toEqual([{ event_type: "tenant_isolation", result: "denied", subject: "other-app" }]);
  });

  it("answers 400 invalid_request with issues for a malformed payload", async () => {
    const { app } = await buildTestRuntime({ driver });
    const res = await app.request(SYNC, internal(v11({ token_budget: { period: "weekly" } })));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: Array<{ path: unknown[] }> };
    expect(body.error).toBe("invalid_request");
    expect(body.issues.length).toBeGreaterThan(0);
  });

  describe("with verification keys configured", () => {
    const { signer, jwks } = platformKeys();
    const keys = { jwks };

    it("accepts an Ed25519-signed manifest", async () => {
      const { app } = await buildTestRuntime({ driver, appPath: undefined, entitlementKeys: keys });
      const doc = signer.sign({ app_id: "example-app", user_id: "user-1", capabilities: ["cap.tool.basic"] });
      const res = await app.request(SYNC, internal(doc));
      expect(res.status).toBe(200);
    });

    it("accepts a signed v1.1 payload and rejects it once tampered", async () => {
      const { app } = await buildTestRuntime({ driver, appPath: undefined, entitlementKeys: keys });
      const doc = signer.sign(v11());
      expect((await app.request(SYNC, internal(doc))).status).toBe(200);
      const tampered = { ...doc, features: { export: true, admin: true } };
      const res = await app.request(SYNC, internal(tampered));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: "manifest_signature_invalid", reason: "invalid" });
    });

    it("rejects unsigned, wrong-key and expired manifests with 403 manifest_signature_invalid", async () => {
      const { app } = await buildTestRuntime({ driver, appPath: undefined, entitlementKeys: keys });
      const base = { app_id: "example-app", capabilities: ["cap.tool.basic"] };
      const cases: Array<[unknown, string]> = [
        [base, "missing"],
        [platformKeys("platform-test").signer.sign(base), "invalid"],
        [platformKeys("rogue").signer.sign(base), "unknown_kid"],
        [signer.sign({ ...base, expires_at: "2026-03-01T00:00:00Z" }), "expired"],
      ];
      for (const [doc, reason] of cases) {
        const res = await app.request(SYNC, internal(doc));
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({ error: "manifest_signature_invalid", reason });
      }
    });

    it("verifies a legacy HMAC-signed manifest with MOZAIKS_ENTITLEMENT_SIGNING_KEY", async () => {
      const hmacKey = "legacy-hmac-key";
      const { app } = await buildTestRuntime({ driver, appPath: undefined, entitlementKeys: { hmacKey } });
      const doc = new HmacManifestSigner({ signingKey: hmacKey }).sign({
        app_id: "example-app",
        capabilities: ["cap.tool.basic"],
      });
      expect((await app.request(SYNC, internal(doc))).status).toBe(200);
      expect((await app.request(SYNC, internal({ ...doc, capabilities: ["cap.tool.x"] }))).status).toBe(403);
    });
  });
});

describe.each(drivers)("legacy subscription sync ($name)", (driver) => {
  it("translates a plan through the bundle's plan catalog into a user manifest", async () => {
    const { app } = await buildTestRuntime({ driver });
    const res = await app.request(
      LEGACY,
      internal({ userId: "user-1", plan: "pro", status: "active", billingCycle: "monthly" }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ format: "legacy", scope: "user", user_id: "user-1" });
    const e = await entitlementsOf(app, "user-1");
    expect(e.capabilities).toContain("cap.tool.report_export");
    expect(e.plan).toMatchObject({ id: "pro", status: "active" });
    const run = await app.request("/api/plugins", { headers: bearer(await signToken()) });
    const { plugins } = (await run.json()) as { plugins: Array<{ name: string; allowed: boolean }> };
    expect(plugins.find((p) => p.name === "report_export")?.allowed).toBe(true);
  });

  it("maps a canceled subscription to the catalog's default plan", async () => {
    const { app } = await buildTestRuntime({ driver });
    await app.request(LEGACY, internal({ userId: "user-1", plan: "pro", status: "canceled" }));
    const e = await entitlementsOf(app, "user-1");
    expect(e.plan).toMatchObject({ id: "free", status: "canceled" });
    expect(e.capabilities).not.toContain("cap.tool.report_export");
  });

  it("answers 422 plan_catalog_missing naming the v1.1 endpoint when the bundle has no catalog", async () => {
    const { app } = await buildTestRuntime({ driver, appPath: undefined });
    const res = await app.request(LEGACY, internal({ userId: "user-1", plan: "pro", status: "active" }));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("plan_catalog_missing");
    expect(body.message).toContain("/api/internal/entitlement/sync");
  });

  it("rejects an unknown plan with 400 and another app with 403", async () => {
    const { app } = await buildTestRuntime({ driver });
    expect(
      (await app.request(LEGACY, internal({ userId: "u", plan: "platinum", status: "active" }))).status,
    ).toBe(400);
    const res = await app.request(
      LEGACY,
      internal({ userId: "u", plan: "pro", status: "active", appId: "other" }),
    );
    expect(res.status).toBe(403);
  });
});
