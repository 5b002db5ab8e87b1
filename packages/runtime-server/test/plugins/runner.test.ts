import { describe, expect, it, vi } from "vitest";
import {
  isPluginExecutionError,
  PluginExecutionError,
  PluginRunner,
} from "../../src/engine/plugins/index.js";
import { context, holdState, PLUGINS_DIR, pick, pluginSuite, sleep, testRunner } from "./helpers.js";

const { plugins, runner } = await pluginSuite(PLUGINS_DIR);

describe("PluginRunner.run", () => {
  it("runs a JavaScript plugin and passes data._context as the context argument", async () => {
    const data = { text: "hi", _context: context, user_jwt: "token-abc" };
    expect(await runner.run(pick(plugins, "echo"), data)).toEqual({ data, context });
  });

  it("runs a TypeScript plugin", async () => {
    const output = await runner.run(pick(plugins, "greet_ts"), { greeting: "Welcome", _context: context });
    expect(output).toEqual({ message: "Welcome, ada" });
  });

  it("runs a CommonJS plugin that exports execute through module.exports", async () => {
    expect(await runner.run(pick(plugins, "cjs_plugin"), { value: 7 })).toEqual({ kind: "cjs", value: 7 });
  });

  it("passes a null context when the caller injected none", async () => {
    expect(await runner.run(pick(plugins, "echo"), { a: 1 })).toEqual({ data: { a: 1 }, context: null });
  });

  it("answers null for a plugin that returns nothing", async () => {
    expect(await runner.run(pick(plugins, "no_output"), {})).toBeNull();
  });

  it("reuses a worker, so module state carries over between calls on it", async () => {
    const single = testRunner({ maxWorkers: 1 });
    for (let i = 1; i <= 3; i++) expect(await single.run(pick(plugins, "counter"), {})).toEqual({ calls: i });
    // The same worker loads a TypeScript entry too, and keeps the JS module it already has.
    expect(await single.run(pick(plugins, "greet_ts"), { _context: context })).toEqual({
      message: "Hello, ada",
    });
    expect(await single.run(pick(plugins, "counter"), {})).toEqual({ calls: 4 });
  });

  it("queues calls beyond maxWorkers and runs them all", async () => {
    const limited = testRunner({ maxWorkers: 2, maxWorkersPerPlugin: 2 });
    const state = holdState();
    const calls = Array.from({ length: 5 }, () => limited.run(pick(plugins, "hold"), { state }));
    await vi.waitFor(() => expect(Atomics.load(state, 0)).toBe(2), { timeout: 10_000 });
    // Give queued calls every chance to start if the bound were not enforced.
    await sleep(200);
    expect(Atomics.load(state, 0)).toBe(2);
    Atomics.store(state, 2, 1);
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 5 }, () => ({ done: true })));
    expect(Atomics.load(state, 1)).toBe(2);
  });

  it("close() terminates running workers and rejects running, queued and later calls", async () => {
    const closing = testRunner({ maxWorkers: 1 });
    const ticks = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    // Outcomes are captured up front: both calls reject while close() is awaited.
    const running = closing.run(pick(plugins, "ticker"), { ticks }).catch((err: unknown) => err);
    const queued = closing.run(pick(plugins, "echo"), {}).catch((err: unknown) => err);
    await vi.waitFor(() => expect(Atomics.load(ticks, 0)).toBeGreaterThan(0), { timeout: 10_000 });

    await closing.close();
    expect(await running).toMatchObject({
      code: "plugin_error",
      plugin: "ticker",
      message: 'plugin "ticker" was stopped: the plugin runner closed',
    });
    expect(await queued).toMatchObject({
      code: "plugin_error",
      plugin: "echo",
      message: 'plugin "echo" did not start: the plugin runner closed',
    });
    await expect(closing.run(pick(plugins, "echo"), {})).rejects.toThrow(
      'plugin "echo" did not start: the plugin runner closed',
    );

    const after = Atomics.load(ticks, 0);
    await sleep(50);
    expect(Atomics.load(ticks, 0)).toBe(after);
  });

  it("rejects invalid options", () => {
    expect(() => new PluginRunner({ timeoutMs: 0 })).toThrow(RangeError);
    expect(() => new PluginRunner({ timeoutMs: 1000, maxWorkers: 0 })).toThrow(RangeError);
    expect(() => new PluginRunner({ timeoutMs: 1000, maxOutputBytes: 1.5 })).toThrow(RangeError);
    expect(() => new PluginRunner({ timeoutMs: 1000, maxQueue: -1 })).toThrow(RangeError);
    expect(() => new PluginRunner({ timeoutMs: 1000, maxWorkers: 2, minWorkers: 3 })).toThrow(RangeError);
    expect(() => new PluginRunner({ timeoutMs: 1000, maxWorkersPerPlugin: 0 })).toThrow(RangeError);
  });
});

describe("isPluginExecutionError", () => {
  it("recognises the error by its tag and code, also across copies", () => {
    const err = new PluginExecutionError("plugin_timeout", "echo", "late");
    expect(isPluginExecutionError(err)).toBe(true);
    const foreign = { code: "plugin_error", [Symbol.for("mozaiks.runtime.PluginExecutionError")]: true };
    expect(isPluginExecutionError(foreign)).toBe(true);
    expect(isPluginExecutionError({ code: "plugin_error" })).toBe(false);
    expect(isPluginExecutionError(new Error("plain"))).toBe(false);
    expect(isPluginExecutionError(null)).toBe(false);
  });
});
