import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { createProgram } from "../src/program.js";
import { mozaiks, mozaiksProcess } from "./helpers.js";

function find(program: Command, path: string[]): Command {
  let cmd = program;
  for (const name of path) {
    const next = cmd.commands.find((c) => c.name() === name);
    if (!next) throw new Error(`no command ${path.join(" ")}`);
    cmd = next;
  }
  return cmd;
}

const COMMANDS = [
  ["keys", "generate"],
  ["plans", "validate"],
  ["plans", "show"],
  ["plans", "diff"],
  ["manifest", "build"],
  ["manifest", "verify"],
  ["bundle", "write"],
  ["sync", "push"],
];

describe("mozaiks help", () => {
  it("describes every command and its options", () => {
    const program = createProgram();
    for (const path of COMMANDS) {
      const cmd = find(program, path);
      expect(cmd.description().length, path.join(" ")).toBeGreaterThan(20);
      for (const opt of cmd.options)
        expect(opt.description.length, `${path.join(" ")} ${opt.flags}`).toBeGreaterThan(5);
    }
    expect(find(program, ["manifest", "build"]).helpInformation()).toContain("--json");
  });

  it("documents the exit codes in the top-level help (the built binary)", async () => {
    const run = await mozaiksProcess(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Exit codes:");
    expect(run.stdout).toMatch(/3\s+I\/O or network error/);
  });

  it("exits 2 on an unknown command or a missing required option", async () => {
    expect((await mozaiksProcess(["frobnicate"])).code).toBe(2);
    const missing = await mozaiks(["manifest", "build", "--plan", "pro"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--app <id>' not specified");
    const json = await mozaiks(["manifest", "build", "--plan", "pro", "--json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: "usage" });
  });

  it("prints help for a subcommand with exit 0", async () => {
    const run = await mozaiks(["sync", "push", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("/api/internal/entitlement/sync");
  });
});
