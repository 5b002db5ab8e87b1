import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, mozaiks } from "./helpers.js";

let dir: string;
let registry: string;
beforeAll(async () => {
  dir = tempDir("mozaiks-cli-");
  registry = join(EXAMPLES, "capabilities.json");
});

async function brokenPlans(): Promise<string> {
  const plans = JSON.parse(await readFile(join(EXAMPLES, "plan_capabilities.json"), "utf8"));
  plans.plans[0].capabilities.push("cap.tool.ghost");
  plans.plans[1].limits["cap.limit.seats"] = -5;
  plans.plans[2].extends = "enterprise";
  plans.plans[3].capabilities.push("cap.tool.zzz*");
  const file = join(dir, "broken.json");
  await writeFile(file, JSON.stringify(plans));
  return file;
}

describe("mozaiks plans", () => {
  it("validates the example config", async () => {
    const run = await mozaiks(["plans", "validate", "--config-dir", EXAMPLES]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^valid: .*23 capabilities; .*4 plans \(free, starter, pro, enterprise\), default free/,
    );
  });

  it("lists every problem of a broken mapping with file and JSON path, exit 1", async () => {
    const file = await brokenPlans();
    const run = await mozaiks(["plans", "validate", "--registry", registry, "--plans", file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("invalid: 4 problems");
    // listed in document order
    expect(run.stdout.indexOf("$.plans[0]")).toBeLessThan(run.stdout.indexOf("$.plans[1]"));
    expect(run.stdout).toContain(`${file}: $.plans[0].capabilities[3]: unknown capability id cap.tool.ghost`);
    expect(run.stdout).toContain(
      `${file}: $.plans[1].limits["cap.limit.seats"]: limit must be >= 0, or -1 for unlimited`,
    );
    expect(run.stdout).toContain(`${file}: $.plans[2].extends: extends cycle: pro → enterprise → pro`);
    expect(run.stdout).toContain(
      `${file}: $.plans[3].capabilities[5]: wildcard cap.tool.zzz* matches no registered capability`,
    );
    expect(run.stderr).toBe("");
  });

  it("reports validation problems as JSON with --json", async () => {
    const run = await mozaiks([
      "plans",
      "validate",
      "--registry",
      registry,
      "--plans",
      await brokenPlans(),
      "--json",
    ]);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out.ok).toBe(false);
    expect(out.issues.map((i: { code: string }) => i.code)).toEqual(
      expect.arrayContaining([
        "unknown_capability",
        "too_small",
        "extends_cycle",
        "wildcard_matches_nothing",
      ]),
    );
  });

  it("names a missing file and exits 3", async () => {
    const run = await mozaiks(["plans", "validate", "--config-dir", join(dir, "nowhere")]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`error: ${join(dir, "nowhere", "capabilities.json")}: file not found\n`);
  });

  it("shows a plan resolved, with where each grant came from", async () => {
    const run = await mozaiks(["plans", "show", "enterprise", "-c", EXAMPLES]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("inherits: free → starter → pro → enterprise");
    expect(run.stdout).toMatch(/cap\.tool\.web_search\s+tool\s+Web search\s+this plan/);
    expect(run.stdout).toMatch(/cap\.workflow\.basic\s+workflow\s+Basic workflows\s+from free/);
    expect(run.stdout).toMatch(/cap\.limit\.workflows_daily\s+unlimited/);
    const json = JSON.parse((await mozaiks(["plans", "show", "free", "-c", EXAMPLES, "--json"])).stdout);
    expect(json.capabilities).toEqual(["cap.artifact.view", "cap.tool.basic", "cap.workflow.basic"]);
    expect(json.limits).toEqual({
      "cap.limit.tokens_monthly": 100000,
      "cap.limit.tools_per_workflow": 20,
      "cap.limit.workflows_daily": 100,
    });
  });

  it("rejects an unknown plan as a usage error", async () => {
    const run = await mozaiks(["plans", "show", "platinum", "-c", EXAMPLES]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown plan "platinum" (known plans: free, starter, pro, enterprise)');
  });

  it("diffs two mappings: what each plan gains or loses", async () => {
    const plans = JSON.parse(await readFile(join(EXAMPLES, "plan_capabilities.json"), "utf8"));
    plans.plans[1].capabilities.push("cap.tool.report_export");
    plans.plans[2].limits["cap.limit.seats"] = 40;
    plans.plans[0].capabilities = plans.plans[0].capabilities.filter(
      (c: string) => c !== "cap.artifact.view",
    );
    const next = join(dir, "next.json");
    await writeFile(next, JSON.stringify(plans));
    const old = join(EXAMPLES, "plan_capabilities.json");
    const run = await mozaiks(["plans", "diff", old, next, "--registry", registry]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("free (changed)\n  - cap.artifact.view");
    expect(run.stdout).toContain("starter (changed)\n  + cap.tool.report_export\n  - cap.artifact.view");
    expect(run.stdout).toContain("  ~ cap.limit.seats: 25 → 40");
    const gated = await mozaiks([
      "plans",
      "diff",
      old,
      next,
      "--registry",
      registry,
      "--exit-code",
      "--json",
    ]);
    expect(gated.code).toBe(1);
    expect(JSON.parse(gated.stdout).changes.map((c: { plan: string }) => c.plan)).toEqual([
      "free",
      "starter",
      "pro",
    ]);
    const same = await mozaiks(["plans", "diff", old, old, "--registry", registry, "--exit-code"]);
    expect([same.code, same.stdout]).toEqual([0, `no changes between ${old} and ${old}\n`]);
  });
});
