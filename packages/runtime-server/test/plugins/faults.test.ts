import { describe, expect, it } from "vitest";
import {
  isPluginExecutionError,
  type PluginExecutionError,
  type PluginRunner,
} from "../../src/engine/plugins/index.js";
import { PLUGINS_DIR, pick, pluginSuite, testRunner } from "./helpers.js";

const { plugins, runner } = await pluginSuite(PLUGINS_DIR, { maxOutputBytes: 64 * 1024, maxMemoryMb: 32 });

/** Runs a plugin that must fail and returns its PluginExecutionError. */
async function failure(
  name: string,
  data: Record<string, unknown> = {},
  on: PluginRunner = runner,
): Promise<PluginExecutionError> {
  const outcome = await on.run(pick(plugins, name), data).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome))
    throw new Error(`${name} unexpectedly returned ${JSON.stringify(outcome.value)}`);
  if (!isPluginExecutionError(outcome.error)) throw outcome.error;
  return outcome.error;
}

describe("plugin faults", () => {
  it("turns a thrown error into plugin_error with its message, keeping the stack only in cause", async () => {
    const err = await failure("throws");
    expect(err).toMatchObject({ code: "plugin_error", plugin: "throws" });
    expect(err.message).toBe('plugin "throws" failed: text must be a string');
    expect(err.cause).toBeInstanceOf(Error);
    expect((err.cause as Error).name).toBe("TypeError");
    expect((err.cause as Error).stack).toContain("throws/index.js");
  });

  it("turns a rejected promise into plugin_error with its message", async () => {
    const err = await failure("rejects");
    expect(err.code).toBe("plugin_error");
    expect(err.message).toBe('plugin "rejects" failed: upstream service unavailable');
  });

  it("describes a thrown non-Error value", async () => {
    const err = await failure("throws_value");
    expect(err.message).toBe(
      'plugin "throws_value" failed: non-Error value thrown: {"reason":"not an Error"}',
    );
  });

  it("reports an entry that fails at import or exports no execute", async () => {
    expect((await failure("import_fails")).message).toContain("missing configuration at import time");
    expect((await failure("no_execute")).message).toContain(
      "does not export an execute(data, context) function",
    );
  });

  it("times out a synchronous infinite loop at the configured budget and keeps serving", async () => {
    const fast = testRunner({ timeoutMs: 300 });
    const started = performance.now();
    const [err, echoed] = await Promise.all([
      failure("spin", {}, fast),
      // A call running next to the loop is answered: the server thread is not blocked.
      fast.run(pick(plugins, "echo"), { ping: 1 }, { timeoutMs: 15_000 }),
    ]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect(err).toMatchObject({ code: "plugin_timeout", plugin: "spin" });
    expect(err.message).toBe('plugin "spin" timed out after 300 ms');
    expect(echoed).toEqual({ data: { ping: 1 }, context: null });
    expect(await fast.run(pick(plugins, "echo"), { again: true }, { timeoutMs: 15_000 })).toMatchObject({
      data: { again: true },
    });
  });

  it("caps the budget at the descriptor's timeout_seconds", async () => {
    const err = await failure("slow_declared");
    expect(err.code).toBe("plugin_timeout");
    expect(err.message).toBe('plugin "slow_declared" timed out after 200 ms');
  });

  it("confines process.exit() to the plugin's worker", async () => {
    const err = await failure("exits");
    expect(err.code).toBe("plugin_error");
    expect(err.message).toBe(
      'plugin "exits" failed: its worker exited with code 1 before returning a result',
    );
    expect(await runner.run(pick(plugins, "echo"), { alive: true })).toMatchObject({ data: { alive: true } });
  });

  it("refuses output larger than maxOutputBytes", async () => {
    const err = await failure("huge_output", { bytes: 200 * 1024 });
    expect(err.code).toBe("plugin_error");
    expect(err.message).toMatch(/output too large: \d+ bytes exceeds the limit of 65536 bytes/);
    expect(await runner.run(pick(plugins, "huge_output"), { bytes: 10 })).toEqual({ blob: "x".repeat(10) });
  });

  it("refuses output that is not JSON-serializable", async () => {
    expect((await failure("bigint_output")).message).toContain("output is not JSON-serializable");
    expect((await failure("circular_output")).message).toContain("output is not JSON-serializable");
  });

  it("stops a memory bomb at the worker heap limit without harming the server", async () => {
    const err = await failure("memory_bomb");
    expect(err.code).toBe("plugin_error");
    expect(err.message).toBe('plugin "memory_bomb" failed: ran out of memory (limit 32 MiB)');
    expect(await runner.run(pick(plugins, "echo"), { after: "oom" })).toMatchObject({
      data: { after: "oom" },
    });
  });
});
