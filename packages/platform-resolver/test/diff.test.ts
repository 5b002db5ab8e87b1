import { describe, expect, it } from "vitest";
import { diffPlans, PlatformResolver, validatePlatformConfig } from "../src/index.js";
import { exampleRaw } from "./helpers.js";

describe("plan diff", () => {
  it("lists the capabilities and limits each plan gains or loses", () => {
    const before = exampleRaw();
    const after = exampleRaw();
    const [, starter, pro] = after.plans.plans as Array<Record<string, unknown>>;
    (starter as { capabilities: string[] }).capabilities.push("cap.artifact.export");
    (pro as { capabilities: string[] }).capabilities = ["cap.workflow.analytics", "cap.artifact.export"];
    (pro as { limits: Record<string, number> }).limits["cap.limit.seats"] = 50;
    after.plans.plans.push({ id: "team", display_name: "Team", extends: "free" });
    const resolve = (raw: ReturnType<typeof exampleRaw>) => {
      const { config } = validatePlatformConfig(raw.registry, raw.plans);
      if (!config) throw new Error("invalid");
      return new PlatformResolver(config).plans;
    };
    const diffs = diffPlans(resolve(before), resolve(after));
    expect(diffs.map((d) => [d.plan, d.change])).toEqual([
      ["starter", "changed"],
      ["pro", "changed"],
      ["team", "added"],
    ]);
    expect(diffs[0]?.gained).toEqual(["cap.artifact.export"]);
    expect(diffs[1]?.lost).toEqual([
      "cap.feature.audit_log",
      "cap.tool.report_export",
      "cap.tool.report_schedule",
    ]);
    expect(diffs[1]?.limits).toEqual([{ id: "cap.limit.seats", before: 25, after: 50 }]);
    // enterprise re-grants everything through wildcards, so it does not change
    expect(diffs.find((d) => d.plan === "enterprise")).toBeUndefined();
  });

  it("returns nothing for identical mappings", () => {
    const { config } = validatePlatformConfig(exampleRaw().registry, exampleRaw().plans);
    if (!config) throw new Error("invalid");
    expect(diffPlans(new PlatformResolver(config).plans, new PlatformResolver(config).plans)).toEqual([]);
  });
});
