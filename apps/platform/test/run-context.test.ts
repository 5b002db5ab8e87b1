import { execFile } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { VERSION } from "../src/program.js";
import { cliEnvironment } from "../src/shared/env.js";
import { EXAMPLES, mozaiks, REPO } from "./helpers.js";

async function temp(): Promise<string> {
  return tempDir("mozaiks-cli-");
}

describe("one CLI run", () => {
  it("keeps its own output and exit code while another run is in flight", async () => {
    const dir = await temp();
    cpSync(EXAMPLES, join(dir, "good"), { recursive: true });
    cpSync(EXAMPLES, join(dir, "bad"), { recursive: true });
    const plans = join(dir, "bad", "plan_capabilities.json");
    const doc = JSON.parse(readFileSync(plans, "utf8")) as { default_plan: string };
    writeFileSync(plans, JSON.stringify({ ...doc, default_plan: "nope" }));
    // Both commands print after reading files: their output and exit code belong to their run.
    const runs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        i % 2 === 0
          ? mozaiks(["plans", "show", "pro", "-c", "good", "--json"], { cwd: dir })
          : mozaiks(["plans", "validate", "-c", "bad"], { cwd: dir }),
      ),
    );
    runs.forEach((run, i) => {
      if (i % 2 === 0) {
        expect(run.code, run.stdout).toBe(0);
        expect((JSON.parse(run.stdout) as { id: string }).id).toBe("pro");
      } else {
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(/^invalid: 1 problem\n.*default_plan/);
      }
    });
  });

  it("reports the version of its package.json", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
    expect((await mozaiks(["--version"])).stdout.trim()).toBe(pkg.version);
  });
});

describe("the caller's directory", () => {
  it("is INIT_CWD under the repository's mozaiks script, the working directory otherwise", () => {
    const script = { npm_lifecycle_event: "mozaiks", INIT_CWD: "/home/me/app" };
    expect(cliEnvironment(script, "/repo").cwd).toBe("/home/me/app");
    expect(cliEnvironment({ ...script, npm_lifecycle_event: "test" }, "/repo").cwd).toBe("/repo");
    expect(cliEnvironment({ npm_lifecycle_event: "mozaiks" }, "/repo").cwd).toBe("/repo");
  });

  it("pnpm mozaiks resolves relative paths from where it was called, with the repository's packs as catalog", async () => {
    const dir = await temp();
    cpSync(EXAMPLES, join(dir, "cfg"), { recursive: true });
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const script = pkg.scripts.mozaiks as string;
    expect(script).toContain("node apps/platform/dist/cli.js");
    // What pnpm does: the script runs in the repository root, with the caller's directory in INIT_CWD.
    const run = (args: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const env: Record<string, string | undefined> = { ...process.env };
        for (const key of Object.keys(env)) if (key.startsWith("MOZAIKS_")) delete env[key];
        execFile(
          "sh",
          ["-c", `${script} ${args}`],
          { cwd: REPO, env: { ...env, INIT_CWD: dir, npm_lifecycle_event: "mozaiks" }, timeout: 30_000 },
          (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
        );
      });
    const validate = await run("plans validate -c cfg");
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toContain(`valid: ${join(dir, "cfg", "capabilities.json")}`);
    const listed = await run("packs list --json");
    expect(listed.code, listed.stderr).toBe(0);
    const body = JSON.parse(listed.stdout) as { catalog: string; packs: Array<{ source: string }> };
    expect(body.packs.length).toBeGreaterThan(0);
    expect(body.packs.every((p) => p.source === "catalog")).toBe(true);
  });
});
