import { describe, expect, it } from "vitest";
import { planMatrix } from "../src/index.js";
import { exampleConfig } from "./helpers.js";

describe("plan × capability matrix", () => {
  const m = planMatrix(exampleConfig());
  const cap = (id: string) => m.capabilities.find((c) => c.id === id);
  const limit = (id: string) => m.limits.find((l) => l.id === id);

  it("has every plan with its inheritance chain, and every grantable capability of the registry", () => {
    expect(m.plans.map((p) => [p.id, p.extends ?? null, p.chain.join(">")])).toEqual([
      ["free", null, "free"],
      ["starter", "free", "free>starter"],
      ["pro", "starter", "free>starter>pro"],
      ["enterprise", "pro", "free>starter>pro>enterprise"],
    ]);
    expect(m.capabilities.some((c) => c.type === "limit")).toBe(false);
    expect(m.capabilities.length).toBeGreaterThan(10);
  });

  it("says whether a plan lists a capability, inherits it, or gets it through a wildcard", () => {
    const basic = cap("cap.workflow.basic")?.plans;
    expect(basic?.free).toEqual({
      granted_by: "free",
      inherited: false,
      via: "cap.workflow.basic",
      wildcard: false,
    });
    expect(basic?.pro).toEqual({
      granted_by: "free",
      inherited: true,
      via: "cap.workflow.basic",
      wildcard: false,
    });
    const report = cap("cap.tool.report_export")?.plans;
    expect(report?.starter).toBeNull();
    expect(report?.pro).toEqual({
      granted_by: "pro",
      inherited: false,
      via: "cap.tool.report_*",
      wildcard: true,
    });
    expect(report?.enterprise?.granted_by).toBe("pro");
    // Granted only by enterprise's `cap.workflow.*`.
    expect(cap("cap.workflow.research")?.plans).toEqual({
      free: null,
      starter: null,
      pro: null,
      enterprise: { granted_by: "enterprise", inherited: false, via: "cap.workflow.*", wildcard: true },
    });
  });

  it("lists each limit with its period and each plan's value, enforcement and origin", () => {
    const tokens = limit("cap.limit.tokens_monthly");
    expect(tokens?.period).toEqual({ period: "monthly" });
    expect(tokens?.plans.free).toEqual({
      value: 100000,
      enforcement: "soft",
      set_by: "free",
      inherited: false,
    });
    expect(tokens?.plans.enterprise).toEqual({
      value: 20000000,
      enforcement: "warn",
      set_by: "enterprise",
      inherited: false,
    });
    const seats = limit("cap.limit.seats");
    expect(seats?.plans.free).toBeNull();
    expect(seats?.plans.enterprise?.value).toBe(-1);
    // Starter inherits free's tools_per_workflow and its enforcement default.
    expect(limit("cap.limit.tools_per_workflow")?.plans.starter).toEqual({
      value: 20,
      enforcement: "hard",
      set_by: "free",
      inherited: true,
    });
  });
});
