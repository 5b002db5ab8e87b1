import { describe, expect, it } from "vitest";
import { validatePlatformConfig } from "../src/index.js";
import { exampleRaw } from "./helpers.js";

function issuesFor(mutate: (raw: ReturnType<typeof exampleRaw>) => void) {
  const raw = exampleRaw();
  mutate(raw);
  return validatePlatformConfig(raw.registry, raw.plans).issues;
}

describe("plan mapping validation", () => {
  it("accepts the example registry and plans without issues", () => {
    const { config, issues } = validatePlatformConfig(exampleRaw().registry, exampleRaw().plans);
    expect(issues).toEqual([]);
    expect(config?.plans.plans.map((p) => p.id)).toEqual(["free", "starter", "pro", "enterprise"]);
  });

  it("reports every problem at once, each with file and JSON path", () => {
    const issues = issuesFor(({ plans }) => {
      const [free, starter, pro, enterprise] = plans.plans as Array<Record<string, unknown>>;
      (free as Record<string, unknown>).capabilities = ["cap.workflow.basic", "cap.tool.nope", "cap.Bad"];
      (starter as Record<string, unknown>).limits = { "cap.tool.echo": 5, "cap.limit.seats": -3 };
      (pro as Record<string, unknown>).capabilities = ["cap.tool.zzz_*"];
      (enterprise as Record<string, unknown>).extends = "platinum";
      plans.plans.push({ id: "pro", display_name: "Pro again" });
    });
    const found = issues.map((i) => [i.file, i.path, i.code]);
    expect(found).toEqual(
      expect.arrayContaining([
        ["plan_capabilities.json", "$.plans[0].capabilities[1]", "unknown_capability"],
        ["plan_capabilities.json", "$.plans[0].capabilities[2]", "invalid_format"],
        ["plan_capabilities.json", '$.plans[1].limits["cap.tool.echo"]', "not_a_limit"],
        ["plan_capabilities.json", '$.plans[1].limits["cap.limit.seats"]', "too_small"],
        ["plan_capabilities.json", "$.plans[2].capabilities[0]", "wildcard_matches_nothing"],
        ["plan_capabilities.json", "$.plans[3].extends", "unknown_parent_plan"],
        ["plan_capabilities.json", "$.plans[4].id", "duplicate_plan"],
      ]),
    );
    // zod's generic record-key message is replaced by the specific one.
    expect(issues.filter((i) => i.path === '$.plans[1].limits["cap.tool.echo"]')).toHaveLength(1);
  });

  it("detects extends cycles and names the cycle", () => {
    const issues = issuesFor(({ plans }) => {
      (plans.plans[0] as Record<string, unknown>).extends = "pro";
    });
    const cycle = issues.find((i) => i.code === "extends_cycle");
    expect(cycle?.path).toBe("$.plans[0].extends");
    expect(cycle?.message).toBe("extends cycle: free → pro → starter → free");
  });

  it("rejects a plan extending itself", () => {
    const issues = issuesFor(({ plans }) => {
      (plans.plans[1] as Record<string, unknown>).extends = "starter";
    });
    expect(issues.map((i) => i.message)).toContain("extends cycle: starter → starter");
  });

  it("rejects an unknown default plan and limit ids in a capability list", () => {
    const issues = issuesFor(({ plans }) => {
      plans.default_plan = "basic";
      (plans.plans[0] as { capabilities: string[] }).capabilities.push("cap.limit.seats");
    });
    expect(issues.map((i) => [i.path, i.code])).toEqual(
      expect.arrayContaining([
        ["$.default_plan", "unknown_default_plan"],
        ["$.plans[0].capabilities[3]", "limit_in_capabilities"],
      ]),
    );
  });

  it("checks enforcement keys like limit keys", () => {
    const issues = issuesFor(({ plans }) => {
      (plans.plans[0] as Record<string, unknown>).enforcement = {
        "cap.limit.nope": "hard",
        "cap.feature.sso": "warn",
      };
    });
    expect(issues.map((i) => [i.path, i.code])).toEqual(
      expect.arrayContaining([
        ['$.plans[0].enforcement["cap.limit.nope"]', "unknown_capability"],
        ['$.plans[0].enforcement["cap.feature.sso"]', "not_a_limit"],
      ]),
    );
  });

  it("reports registry problems: duplicates, bad ids, type mismatch, limit fields on non-limits", () => {
    const issues = issuesFor(({ registry }) => {
      const caps = registry.capabilities as Array<Record<string, unknown>>;
      caps.push({ id: "cap.tool.echo", type: "tool", display_name: "Echo again" });
      caps.push({ id: "cap.gadget.x", type: "tool", display_name: "Bad" });
      caps.push({ id: "cap.tool.y", type: "workflow", display_name: "Mismatch" });
      caps.push({ id: "cap.tool.z", type: "tool", display_name: "Z", unit: "calls" });
    });
    const n = exampleRaw().registry.capabilities as unknown[];
    const at = (k: number) => `$.capabilities[${n.length + k}]`;
    expect(issues.map((i) => [i.file, i.path, i.code])).toEqual(
      expect.arrayContaining([
        ["capabilities.json", `${at(0)}.id`, "duplicate_capability"],
        ["capabilities.json", `${at(1)}.id`, "invalid_format"],
        ["capabilities.json", `${at(2)}.type`, "custom"],
        ["capabilities.json", `${at(3)}.unit`, "limit_field_on_non_limit"],
      ]),
    );
  });

  it("still checks plans against the readable part of a broken registry", () => {
    const issues = issuesFor(({ registry, plans }) => {
      (registry.capabilities as Array<Record<string, unknown>>).push({ id: "cap.tool.q", type: "tool" });
      (plans.plans[0] as { capabilities: string[] }).capabilities.push("cap.tool.missing");
    });
    expect(issues.map((i) => i.file)).toEqual(
      expect.arrayContaining(["capabilities.json", "plan_capabilities.json"]),
    );
  });
});
