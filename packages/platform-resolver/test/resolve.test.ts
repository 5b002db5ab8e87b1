import { EntitlementManifestSchema, PlanCatalogSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import { ConfigInvalidError, isPlatformError, PlatformResolver, UnknownPlanError } from "../src/index.js";
import { exampleConfig, NOW } from "./helpers.js";

const resolver = () => new PlatformResolver(exampleConfig(), { now: () => NOW });

describe("plan resolution", () => {
  it("keeps the self-hosted defaults on the free plan", () => {
    const free = resolver().plan("free");
    expect(free.capabilities).toEqual(["cap.artifact.view", "cap.tool.basic", "cap.workflow.basic"]);
    expect(free.limits).toEqual({
      "cap.limit.tokens_monthly": 100000,
      "cap.limit.tools_per_workflow": 20,
      "cap.limit.workflows_daily": 100,
    });
  });

  it("unions capabilities along extends and lets the child override limits", () => {
    const pro = resolver().plan("pro");
    expect(pro.chain).toEqual(["free", "starter", "pro"]);
    expect(pro.capabilities).toEqual(
      expect.arrayContaining([
        "cap.workflow.basic",
        "cap.tool.echo",
        "cap.tool.report_export",
        "cap.tool.report_schedule",
      ]),
    );
    expect(pro.capabilities).not.toContain("cap.tool.web_search");
    expect(pro.granted_by["cap.workflow.basic"]).toBe("free");
    expect(pro.granted_by["cap.tool.report_export"]).toBe("pro");
    expect(pro.limits["cap.limit.tokens_monthly"]).toBe(2000000);
    expect(pro.limit_set_by["cap.limit.seats"]).toBe("pro");
    expect(pro.enforcement).toEqual({
      "cap.limit.plugin_calls_daily": "hard",
      "cap.limit.seats": "hard",
      "cap.limit.tokens_monthly": "hard",
      "cap.limit.tools_per_workflow": "hard",
      "cap.limit.workflows_daily": "warn",
    });
  });

  it("expands enterprise wildcards to every non-limit capability of the registry", () => {
    const config = exampleConfig();
    const nonLimit = config.registry.capabilities.filter((c) => c.type !== "limit").map((c) => c.id);
    const enterprise = new PlatformResolver(config).plan("enterprise");
    expect(enterprise.capabilities).toEqual([...nonLimit].sort());
    expect(enterprise.limits["cap.limit.workflows_daily"]).toBe(-1);
  });

  it("reserves report_export for pro and above", () => {
    const r = resolver();
    expect(r.plan("starter").capabilities).not.toContain("cap.tool.report_export");
    expect(r.plan("pro").capabilities).toContain("cap.tool.report_export");
    expect(r.plan("enterprise").capabilities).toContain("cap.tool.report_export");
  });
});

describe("subscription → manifest", () => {
  it("builds a manifest that satisfies the contract schema", () => {
    const { manifest, effectivePlan, reason } = resolver().resolve({
      app_id: "acme",
      user_id: "u1",
      plan: "pro",
      status: "active",
      expires_at: "2026-04-01T00:00:00Z",
    });
    expect(EntitlementManifestSchema.parse(manifest)).toBeTruthy();
    expect(effectivePlan).toBe("pro");
    expect(reason).toBe("active");
    expect(manifest.plan).toEqual({
      id: "pro",
      name: "Pro",
      tier: "pro",
      status: "active",
      expires_at: "2026-04-01T00:00:00Z",
    });
    expect(manifest.metadata?.capability_source).toBe("plan_capabilities.json@2026-02-01");
    expect(manifest.issued_at).toBe("2026-03-10T12:00:00Z");
    expect(manifest.expires_at).toBe("2026-03-11T12:00:00Z");
  });

  it("caps the manifest lifetime at the end of the paid period", () => {
    const { manifest } = resolver().resolve({
      app_id: "acme",
      plan: "pro",
      status: "active",
      expires_at: "2026-03-10T18:00:00Z",
    });
    expect(manifest.expires_at).toBe("2026-03-10T18:00:00Z");
  });

  it("honours a configurable TTL, including none", () => {
    const config = exampleConfig();
    const short = new PlatformResolver(config, { now: () => NOW, ttlSeconds: 60 });
    expect(short.resolve({ app_id: "a", plan: "free", status: "active" }).manifest.expires_at).toBe(
      "2026-03-10T12:01:00Z",
    );
    const none = new PlatformResolver(config, { now: () => NOW, ttlSeconds: null });
    expect(none.resolve({ app_id: "a", plan: "free", status: "active" }).manifest.expires_at).toBeNull();
  });

  it("applies overrides: added and removed capabilities, limit overrides", () => {
    const { manifest } = resolver().resolve({
      app_id: "acme",
      plan: "starter",
      status: "active",
      overrides: {
        add_capabilities: ["cap.tool.report_*"],
        remove_capabilities: ["cap.feature.notifications"],
        limits: { "cap.limit.seats": 12 },
        enforcement: { "cap.limit.seats": "warn" },
      },
    });
    const caps = manifest.metadata?.capabilities ?? [];
    expect(caps).toContain("cap.tool.report_export");
    expect(caps).not.toContain("cap.feature.notifications");
    expect(manifest.metadata?.limits?.["cap.limit.seats"]).toBe(12);
    expect(manifest.enforcement?.["cap.limit.seats"]).toBe("warn");
  });

  it("rejects overrides naming unknown capabilities, with their JSON path", () => {
    try {
      resolver().resolve(
        {
          app_id: "acme",
          plan: "pro",
          status: "active",
          overrides: { add_capabilities: ["cap.tool.ghost"], remove_capabilities: ["cap.limit.seats"] },
        },
        "subs.json",
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigInvalidError);
      const issues = (err as ConfigInvalidError).issues.map((i) => [i.file, i.path, i.code]);
      expect(issues).toEqual([
        ["subs.json", "$.overrides.add_capabilities[0]", "unknown_capability"],
        ["subs.json", "$.overrides.remove_capabilities[0]", "limit_in_capabilities"],
      ]);
    }
  });

  it("fails closed on an unknown plan instead of guessing", () => {
    expect(() => resolver().resolve({ app_id: "a", plan: "platinum", status: "active" })).toThrow(
      UnknownPlanError,
    );
  });

  it("reports an invalid subscription with paths, as a package error", () => {
    try {
      resolver().resolve({ app_id: "", plan: "pro", status: "paused" as "active" });
      expect.unreachable();
    } catch (err) {
      expect(isPlatformError(err) && err.code).toBe("subscription_invalid");
      expect((err as ConfigInvalidError).issues.map((i) => i.path)).toEqual(["$.app_id", "$.status"]);
    }
  });
});

describe("plan catalog", () => {
  it("lists every plan resolved, with the default plan, valid against the contract", () => {
    const catalog = resolver().catalog({ appId: "acme" });
    expect(PlanCatalogSchema.parse(catalog)).toBeTruthy();
    expect(catalog.default_plan).toBe("free");
    expect(Object.keys(catalog.plans)).toEqual(["free", "starter", "pro", "enterprise"]);
    expect(catalog.plans.pro?.capabilities).toContain("cap.tool.report_export");
    expect(catalog.plans.free?.enforcement?.["cap.limit.tokens_monthly"]).toBe("soft");
  });
});
