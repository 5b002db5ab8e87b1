import { CapabilityEvaluator } from "@mozaiks/entitlements-core";
import { describe, expect, it } from "vitest";
import { PlatformResolver } from "../src/index.js";
import { exampleConfig, NOW } from "./helpers.js";

const resolver = new PlatformResolver(exampleConfig(), { now: () => NOW });
const evaluate = (plan: string, status: "active" | "canceled" = "active") =>
  new CapabilityEvaluator(resolver.resolve({ app_id: "example-app", plan, status }).manifest);

describe("resolved manifests as the runtime evaluates them", () => {
  it("gives the free plan exactly the OSS defaults", () => {
    const ev = evaluate("free");
    expect(ev.hasAll(["cap.workflow.basic", "cap.tool.basic", "cap.artifact.view"])).toBe(true);
    expect(ev.has("cap.tool.echo")).toBe(false);
    expect(ev.getLimit("cap.limit.tokens_monthly")).toBe(100000);
    expect(ev.checkLimit("cap.limit.workflows_daily", 99)).toBe(true);
    expect(ev.checkLimit("cap.limit.workflows_daily", 100)).toBe(false);
  });

  it("lets pro export reports and treats enterprise's -1 limits as unlimited", () => {
    expect(evaluate("starter").has("cap.tool.report_export")).toBe(false);
    expect(evaluate("pro").has("cap.tool.report_export")).toBe(true);
    expect(evaluate("enterprise").checkLimit("cap.limit.workflows_daily", 10_000_000)).toBe(true);
  });

  it("takes report export away when a pro subscription is canceled", () => {
    expect(evaluate("pro", "canceled").has("cap.tool.report_export")).toBe(false);
  });
});
