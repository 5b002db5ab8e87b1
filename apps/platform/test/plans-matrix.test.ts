import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, mozaiks } from "./helpers.js";

let dir: string;
beforeAll(async () => {
  dir = tempDir("mozaiks-cli-");
});

describe("mozaiks plans matrix", () => {
  it("prints who grants what, inherited and through wildcards, and every limit with its period", async () => {
    const run = await mozaiks(["plans", "matrix", "-c", EXAMPLES]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("free → starter → pro → enterprise");
    expect(run.stdout).toMatch(
      /cap\.tool\.report_export +· +· +✓ \(via cap\.tool\.report_\*\) +✓ \(from pro, via cap\.tool\.report_\*\)/,
    );
    expect(run.stdout).toMatch(
      /cap\.limit\.tokens_monthly +monthly +100,000 soft +500,000 soft +2,000,000 hard/,
    );
    expect(run.stdout).toMatch(/cap\.limit\.tools_per_workflow +run +20 hard +20 hard \(from free\)/);
    expect(run.stdout).toMatch(/cap\.limit\.seats +none +— \(unset: unlimited\) +5 hard/);
  });

  it("answers the matrix as JSON with --json", async () => {
    const run = await mozaiks(["--json", "plans", "matrix", "-c", EXAMPLES]);
    expect(run.code).toBe(0);
    const m = JSON.parse(run.stdout);
    expect(m.plans.map((p: { id: string }) => p.id)).toEqual(["free", "starter", "pro", "enterprise"]);
    const research = m.capabilities.find((c: { id: string }) => c.id === "cap.workflow.research");
    expect(research.plans.enterprise).toEqual({
      granted_by: "enterprise",
      inherited: false,
      via: "cap.workflow.*",
      wildcard: true,
    });
    const seats = m.limits.find((l: { id: string }) => l.id === "cap.limit.seats");
    expect(seats.period).toEqual({ period: "none" });
    expect(seats.plans.free).toBeNull();
  });

  it("writes a self-contained HTML page with --html", async () => {
    const file = join(dir, "matrix.html");
    const run = await mozaiks(["plans", "matrix", "-c", EXAMPLES, "--html", file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`wrote ${file}: 18 capabilities and 5 limits × 4 plans\n`);
    const html = await readFile(file, "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    // Nothing is fetched: no script, stylesheet link or remote URL.
    expect(html).not.toMatch(/<script|<link|https?:\/\//);
    expect(html).toContain('<tr class="group"><th scope="rowgroup" colspan="5">tool</th></tr>');
    expect(html).toContain("from pro, via <code>cap.tool.report_*</code>");
    expect(html).toMatch(/<code>cap\.limit\.workflows_daily<\/code>[\s\S]*?<td>daily<\/td>/);
    expect(html).toContain("Enterprise <code>enterprise</code><small>extends pro</small>");
  });

  it("escapes what the mapping says", async () => {
    const plans = JSON.parse(await readFile(join(EXAMPLES, "plan_capabilities.json"), "utf8"));
    plans.plans[0].display_name = "<img src=x onerror=alert(1)>";
    const file = join(dir, "xss.json");
    await writeFile(file, JSON.stringify(plans));
    const out = join(dir, "xss.html");
    const run = await mozaiks([
      "plans",
      "matrix",
      "--registry",
      join(EXAMPLES, "capabilities.json"),
      "--plans",
      file,
      "--html",
      out,
    ]);
    expect(run.code).toBe(0);
    const html = await readFile(out, "utf8");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });
});

describe("mozaiks plans diff --html", () => {
  it("writes the changes of each plan as HTML next to the usual output", async () => {
    const plans = JSON.parse(await readFile(join(EXAMPLES, "plan_capabilities.json"), "utf8"));
    plans.plans[1].capabilities.push("cap.artifact.export");
    plans.plans[2].limits["cap.limit.seats"] = 50;
    const proposed = join(dir, "proposed.json");
    await writeFile(proposed, JSON.stringify(plans));
    const out = join(dir, "diff.html");
    const run = await mozaiks([
      "plans",
      "diff",
      join(EXAMPLES, "plan_capabilities.json"),
      proposed,
      "--registry",
      join(EXAMPLES, "capabilities.json"),
      "--html",
      out,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("+ cap.artifact.export");
    expect(run.stderr).toBe(`wrote ${out}\n`);
    const html = await readFile(out, "utf8");
    expect(html).toContain('<h2 id="plan-starter"><code>starter</code> (changed)</h2>');
    expect(html).toContain('<li class="add">+ <code>cap.artifact.export</code> gained</li>');
    expect(html).toContain('<li class="chg">~ <code>cap.limit.seats</code>: 25 → 50</li>');
    expect(html).not.toMatch(/<script|<link|https?:\/\//);
  });
});
