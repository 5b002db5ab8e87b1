import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, mozaiks } from "./helpers.js";

let dir: string;
beforeAll(async () => {
  dir = tempDir("mozaiks-cli-");
});

const build = (args: string[]) =>
  mozaiks(["manifest", "build", "-c", EXAMPLES, "--now", "2026-03-10T12:00:00Z", ...args]);

describe("mozaiks manifest build", () => {
  it("applies lifecycle flags: past_due keeps the plan during grace, then drops to the default", async () => {
    const pastDueSince = async (since: string) =>
      JSON.parse(
        (await build(["--app", "a", "--plan", "pro", "--status", "past_due", "--past-due-since", since]))
          .stdout,
      );
    const grace = await pastDueSince("2026-03-08T00:00:00Z");
    expect(grace.plan.id).toBe("pro");
    expect(grace.metadata.subscription.resolution).toBe("past_due_grace");
    const lapsed = await pastDueSince("2026-02-01T00:00:00Z");
    expect(lapsed.plan.id).toBe("free");
    expect(lapsed.metadata.capabilities).toEqual([
      "cap.artifact.view",
      "cap.tool.basic",
      "cap.workflow.basic",
    ]);
  });

  it("applies overrides and a custom TTL", async () => {
    const run = await build([
      "--app",
      "a",
      "--plan",
      "starter",
      "--add",
      "cap.tool.web_search",
      "--remove",
      "cap.feature.notifications",
      "--limit",
      "cap.limit.seats=3",
      "--ttl",
      "30m",
    ]);
    expect(run.code).toBe(0);
    const m = JSON.parse(run.stdout);
    expect(m.metadata.capabilities).toContain("cap.tool.web_search");
    expect(m.metadata.capabilities).not.toContain("cap.feature.notifications");
    expect(m.metadata.limits["cap.limit.seats"]).toBe(3);
    expect(m.expires_at).toBe("2026-03-10T12:30:00Z");
  });

  it("names a bad override by its path and exits 1", async () => {
    const run = await build(["--app", "a", "--plan", "pro", "--add", "cap.tool.ghost"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "error: command line: $.overrides.add_capabilities[0]: unknown capability id cap.tool.ghost\n",
    );
  });

  it("rejects --sign without a key and malformed flag values as usage errors", async () => {
    const noKey = await build(["--app", "a", "--plan", "pro", "--sign"]);
    expect([noKey.code, noKey.stderr]).toEqual([2, expect.stringContaining("--sign needs a key")]);
    expect((await build(["--app", "a", "--plan", "pro", "--ttl", "soon"])).code).toBe(2);
    expect((await build(["--app", "a", "--plan", "pro", "--limit", "seats"])).code).toBe(2);
    expect((await build(["--app", "a", "--plan", "pro", "--status", "paused"])).code).toBe(2);
  });

  it("reports both config files when neither is JSON", async () => {
    await writeFile(join(dir, "capabilities.json"), "{");
    await writeFile(join(dir, "plan_capabilities.json"), "[");
    const run = await mozaiks(["plans", "validate", "-c", dir, "--json"]);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out.issues.map((i: { file: string; code: string }) => [i.file, i.code])).toEqual([
      [join(dir, "capabilities.json"), "invalid_json"],
      [join(dir, "plan_capabilities.json"), "invalid_json"],
    ]);
  });
});
