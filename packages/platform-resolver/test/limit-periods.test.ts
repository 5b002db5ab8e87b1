import { EntitlementManifestSchema, PlanCatalogSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import { PlatformResolver, validatePlatformConfig } from "../src/index.js";
import { exampleRaw, NOW } from "./helpers.js";

function withRegistryEdit(edit: (caps: Array<Record<string, unknown>>) => void) {
  const { registry, plans } = exampleRaw();
  edit(registry.capabilities as Array<Record<string, unknown>>);
  return validatePlatformConfig(registry, plans);
}

describe("limit periods in signed documents", () => {
  it("puts each granted limit's registry period (with its anchor) into the manifest", () => {
    const { config } = withRegistryEdit((caps) => {
      const tokens = caps.find((c) => c.id === "cap.limit.tokens_monthly");
      if (tokens) tokens.anchor_day = 15;
    });
    if (!config) throw new Error("config invalid");
    const { manifest } = new PlatformResolver(config, { now: () => NOW }).resolve({
      app_id: "acme",
      plan: "pro",
      status: "active",
    });
    expect(manifest.limit_periods).toEqual({
      "cap.limit.plugin_calls_daily": { period: "daily" },
      "cap.limit.seats": { period: "none" },
      "cap.limit.tokens_monthly": { period: "monthly", anchor_day: 15 },
      "cap.limit.tools_per_workflow": { period: "run" },
      "cap.limit.workflows_daily": { period: "daily" },
    });
    // Only limits the manifest grants get a period.
    expect(Object.keys(manifest.limit_periods ?? {}).sort()).toEqual(
      Object.keys(manifest.metadata?.limits ?? {}).sort(),
    );
    expect(EntitlementManifestSchema.parse(manifest).limit_periods).toEqual(manifest.limit_periods);
  });

  it("gives the plan catalog the periods of every limit its plans use", () => {
    const { config } = withRegistryEdit(() => {});
    if (!config) throw new Error("config invalid");
    const catalog = new PlatformResolver(config, { now: () => NOW }).catalog();
    expect(catalog.limit_periods?.["cap.limit.seats"]).toEqual({ period: "none" });
    expect(PlanCatalogSchema.parse(catalog).limit_periods).toEqual(catalog.limit_periods);
  });

  it("leaves a limit without a registry period out (runtimes fall back to its id suffix)", () => {
    const { config } = withRegistryEdit((caps) => {
      const seats = caps.find((c) => c.id === "cap.limit.seats");
      if (seats) delete seats.period;
    });
    if (!config) throw new Error("config invalid");
    const { manifest } = new PlatformResolver(config, { now: () => NOW }).resolve({
      app_id: "acme",
      plan: "pro",
      status: "active",
    });
    expect(manifest.limit_periods).not.toHaveProperty("cap.limit.seats");
  });

  it("rejects an anchor that does not fit the period, and anchors on non-limits", () => {
    const { issues } = withRegistryEdit((caps) => {
      const daily = caps.find((c) => c.id === "cap.limit.workflows_daily");
      if (daily) daily.anchor_day = 3;
      const tool = caps.find((c) => c.type === "tool");
      if (tool) tool.anchor_month = 2;
    });
    const messages = issues.map((i) => `${i.path}: ${i.message}`).join("\n");
    expect(messages).toMatch(/anchor_day applies to monthly and yearly periods, not daily/);
    expect(messages).toMatch(/anchor_month applies only to limit capabilities/);
  });
});
