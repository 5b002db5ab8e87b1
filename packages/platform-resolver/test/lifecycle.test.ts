import { describe, expect, it } from "vitest";
import { PlatformResolver } from "../src/index.js";
import { exampleConfig, NOW } from "./helpers.js";

const r = new PlatformResolver(exampleConfig(), { now: () => NOW });

describe("subscription lifecycle", () => {
  it("drops a canceled subscription to the default plan", () => {
    const res = r.resolve({
      app_id: "a",
      plan: "pro",
      status: "canceled",
      expires_at: "2026-05-01T00:00:00Z",
    });
    expect([res.effectivePlan, res.reason]).toEqual(["free", "canceled"]);
    expect(res.manifest.metadata?.capabilities).not.toContain("cap.tool.report_export");
    expect(res.manifest.metadata?.subscription).toEqual({
      plan: "pro",
      status: "canceled",
      resolution: "canceled",
    });
  });

  it("drops an expired active subscription to the default plan", () => {
    const res = r.resolve({ app_id: "a", plan: "pro", status: "active", expires_at: "2026-03-10T11:59:59Z" });
    expect([res.effectivePlan, res.reason]).toEqual(["free", "expired"]);
  });

  it("keeps a past_due plan during the grace period and ends the manifest with it", () => {
    const res = r.resolve({
      app_id: "a",
      plan: "pro",
      status: "past_due",
      past_due_since: "2026-03-05T00:00:00Z",
    });
    expect([res.effectivePlan, res.reason]).toEqual(["pro", "past_due_grace"]);
    expect(res.manifest.expires_at).toBe("2026-03-11T12:00:00Z");
    const near = r.resolve({
      app_id: "a",
      plan: "pro",
      status: "past_due",
      past_due_since: "2026-03-03T18:00:00Z",
    });
    expect(near.manifest.expires_at).toBe("2026-03-10T18:00:00Z");
  });

  it("drops a past_due plan once the grace period has elapsed", () => {
    const res = r.resolve({
      app_id: "a",
      plan: "pro",
      status: "past_due",
      expires_at: "2026-03-01T00:00:00Z",
    });
    expect([res.effectivePlan, res.reason]).toEqual(["free", "past_due_grace_elapsed"]);
  });

  it("uses a configurable grace period", () => {
    const strict = new PlatformResolver(exampleConfig(), { now: () => NOW, pastDueGraceDays: 0 });
    const res = strict.resolve({
      app_id: "a",
      plan: "pro",
      status: "past_due",
      past_due_since: "2026-03-10T00:00:00Z",
    });
    expect(res.effectivePlan).toBe("free");
  });

  it("requires a start for the grace period of a past_due subscription", () => {
    expect(() => r.resolve({ app_id: "a", plan: "pro", status: "past_due" })).toThrow(/past_due_since/);
  });

  it("grants the plan during a trial and the default plan after it", () => {
    const during = r.resolve({
      app_id: "a",
      plan: "pro",
      status: "trialing",
      overrides: { trial_ends_at: "2026-03-12T00:00:00Z" },
    });
    expect([during.effectivePlan, during.reason]).toEqual(["pro", "trialing"]);
    const after = r.resolve({
      app_id: "a",
      plan: "pro",
      status: "trialing",
      overrides: { trial_ends_at: "2026-03-09T00:00:00Z" },
    });
    expect([after.effectivePlan, after.reason]).toEqual(["free", "trial_ended"]);
  });

  it("keeps removals but drops grants of overrides when falling back", () => {
    const res = r.resolve({
      app_id: "a",
      plan: "pro",
      status: "canceled",
      overrides: { add_capabilities: ["cap.tool.web_search"], remove_capabilities: ["cap.artifact.view"] },
    });
    const caps = res.manifest.metadata?.capabilities ?? [];
    expect(caps).not.toContain("cap.tool.web_search");
    expect(caps).not.toContain("cap.artifact.view");
    expect(caps).toEqual(["cap.tool.basic", "cap.workflow.basic"]);
  });
});
