import { EntitlementManifestSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import {
  CapabilityEnforcer,
  CapabilityEvaluator,
  ManifestInvalidError,
  normalizeSyncPayload,
} from "../src/index.js";

const payload = {
  version: "1.1",
  app_id: "myapp",
  user_id: "user_1",
  tenant_id: "tenant_1",
  plan: { id: "pro", name: "Pro", tier: "pro", status: "active", expires_at: null },
  token_budget: { period: "monthly", total_tokens: { limit: 50_000, used: 1_200, enforcement: "hard" } },
  features: { export: true, beta: false, "multi.agent": true },
  rate_limits: { workflows_daily: 20, requests_per_minute: -1 },
  issued_at: "2026-02-01T00:00:00Z",
  expires_at: "2026-03-01T00:00:00Z",
};

describe("normalizeSyncPayload", () => {
  const { manifest, usageBaselines } = normalizeSyncPayload(payload);

  it("maps enabled features to cap.feature.* and drops disabled ones", () => {
    expect(manifest.capabilities).toEqual(["cap.feature.export", "cap.feature.multi.agent"]);
  });

  it("maps rate limits to cap.limit.* and the token budget to cap.limit.tokens_monthly", () => {
    expect(manifest.limits).toEqual({
      "cap.limit.workflows_daily": 20,
      "cap.limit.requests_per_minute": -1,
      "cap.limit.tokens_monthly": 50_000,
    });
  });

  it("carries the token budget's enforcement and returns `used` as a usage baseline", () => {
    expect(manifest.enforcement).toEqual({ "cap.limit.tokens_monthly": "hard" });
    expect(usageBaselines).toEqual({ "cap.limit.tokens_monthly": 1_200 });
  });

  it("carries identity and validity fields and keeps the plan as display metadata only", () => {
    expect(manifest).toMatchObject({
      app_id: "myapp",
      user_id: "user_1",
      tenant_id: "tenant_1",
      issued_at: "2026-02-01T00:00:00Z",
      expires_at: "2026-03-01T00:00:00Z",
      plan: { id: "pro", name: "Pro" },
      metadata: { capability_source: "platform" },
    });
    // The plan grants nothing by itself.
    expect(new CapabilityEvaluator(manifest).has("cap.workflow.pro")).toBe(false);
  });

  it("produces a manifest the contracts schema accepts and the evaluator reads", () => {
    expect(EntitlementManifestSchema.parse(manifest)).toEqual(manifest);
    const ev = new CapabilityEvaluator(manifest);
    expect(ev.enforcementFor("cap.limit.tokens_monthly")).toBe("hard");
    expect(ev.enforcementFor("cap.limit.workflows_daily")).toBe("hard");
    expect(ev.checkLimit("cap.limit.tokens_monthly", 49_999)).toBe(true);
  });

  it("defaults the token budget enforcement to soft and used to 0", () => {
    const r = normalizeSyncPayload({
      version: "1.1",
      app_id: "a",
      token_budget: { period: "monthly", total_tokens: { limit: 10 } },
    });
    expect(r.manifest.enforcement).toEqual({ "cap.limit.tokens_monthly": "soft" });
    expect(r.usageBaselines).toEqual({ "cap.limit.tokens_monthly": 0 });
    // soft still denies a new launch once exhausted
    expect(() =>
      new CapabilityEnforcer(r.manifest).requireWithinLimit("cap.limit.tokens_monthly", 10),
    ).toThrow();
  });

  it("treats an unlimited budget period as -1", () => {
    const r = normalizeSyncPayload({
      version: "1.1",
      app_id: "a",
      token_budget: { period: "unlimited", total_tokens: { limit: 0 } },
    });
    expect(r.manifest.limits).toEqual({ "cap.limit.tokens_monthly": -1 });
  });

  it("lets the token budget win over a rate limit of the same name", () => {
    const r = normalizeSyncPayload({
      version: "1.1",
      app_id: "a",
      rate_limits: { tokens_monthly: 5 },
      token_budget: { period: "monthly", total_tokens: { limit: 7 } },
    });
    expect(r.manifest.limits).toEqual({ "cap.limit.tokens_monthly": 7 });
  });

  it("normalizes a minimal payload to an empty manifest", () => {
    const r = normalizeSyncPayload({ version: "1.1", app_id: "a" });
    expect(r.manifest).toEqual({
      app_id: "a",
      version: "1.1",
      capabilities: [],
      limits: {},
      enforcement: {},
      metadata: { capability_source: "platform" },
    });
    expect(r.usageBaselines).toEqual({});
  });

  it.each([
    ["a missing app_id", { version: "1.1" }],
    ["a bad feature key", { version: "1.1", app_id: "a", features: { "Bad Key": true } }],
    ["a fractional rate limit", { version: "1.1", app_id: "a", rate_limits: { x: 1.5 } }],
    [
      "an unknown enforcement",
      {
        version: "1.1",
        app_id: "a",
        token_budget: { period: "monthly", total_tokens: { limit: 1, enforcement: "strict" } },
      },
    ],
    ["a non-object", "nope"],
  ])("rejects %s with manifest_invalid and its issues", (_label, bad) => {
    let err: unknown;
    try {
      normalizeSyncPayload(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ManifestInvalidError);
    expect((err as ManifestInvalidError).issues.length).toBeGreaterThan(0);
  });
});
