import { describe, expect, it, vi } from "vitest";
import { holdState, loadAll, PLUGINS_DIR, pick, sleep, testRunner } from "./helpers.js";

const plugins = await loadAll(PLUGINS_DIR);

describe("PluginRunner pool", () => {
  it("serves the next call after a synchronous loop timed out, on a fresh worker", async () => {
    const pool = testRunner({ maxWorkers: 1 });
    expect(await pool.run(pick(plugins, "counter"), {})).toEqual({ calls: 1 });
    await expect(pool.run(pick(plugins, "spin"), {}, { timeoutMs: 300 })).rejects.toMatchObject({
      code: "plugin_timeout",
    });
    expect(await pool.run(pick(plugins, "echo"), { after: "spin" })).toMatchObject({
      data: { after: "spin" },
    });
    // The looping worker was replaced, so module state starts over.
    expect(await pool.run(pick(plugins, "counter"), {})).toEqual({ calls: 1 });
  });

  it("completes many concurrent calls on a pool of 2, each with its own input", async () => {
    const pool = testRunner({ maxWorkers: 2 });
    const outputs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => pool.run(pick(plugins, "echo"), { i })),
    );
    expect(outputs).toEqual(Array.from({ length: 40 }, (_, i) => ({ data: { i }, context: null })));
  });

  it("refuses calls beyond maxQueue as plugin_busy and still runs the accepted ones", async () => {
    const pool = testRunner({ maxWorkers: 1, maxQueue: 2 });
    const state = holdState();
    const held = pool.run(pick(plugins, "hold"), { state });
    await vi.waitFor(() => expect(Atomics.load(state, 0)).toBe(1), { timeout: 10_000 });
    const queued = [pool.run(pick(plugins, "echo"), { q: 1 }), pool.run(pick(plugins, "echo"), { q: 2 })];
    await expect(pool.run(pick(plugins, "echo"), { q: 3 })).rejects.toMatchObject({
      code: "plugin_busy",
      plugin: "echo",
      message: "the plugin runner is busy (2 calls waiting for a worker)",
      retryAfterSeconds: expect.any(Number),
    });
    Atomics.store(state, 2, 1);
    expect(await held).toEqual({ done: true });
    expect(await Promise.all(queued)).toEqual([
      { data: { q: 1 }, context: null },
      { data: { q: 2 }, context: null },
    ]);
  });

  it("answers plugin_busy for a call that waits for a worker longer than its budget, without starting it", async () => {
    const pool = testRunner({ maxWorkers: 1 });
    const state = holdState();
    const held = pool.run(pick(plugins, "hold"), { state });
    await vi.waitFor(() => expect(Atomics.load(state, 0)).toBe(1), { timeout: 10_000 });
    const counted = pool.run(pick(plugins, "counter"), {}, { timeoutMs: 200 });
    await expect(counted).rejects.toMatchObject({
      code: "plugin_busy",
      message: 'plugin "counter" did not start: waited 200 ms for a free worker',
    });
    Atomics.store(state, 2, 1);
    expect(await held).toEqual({ done: true });
    // The worker that ran `hold` was kept, and the refused call never reached it.
    expect(await pool.run(pick(plugins, "counter"), {})).toEqual({ calls: 1 });
  });

  it("rejects input that cannot be sent to a worker as is, and keeps that worker", async () => {
    const pool = testRunner({ maxWorkers: 1 });
    expect(await pool.run(pick(plugins, "counter"), {})).toEqual({ calls: 1 });
    const err: unknown = await pool.run(pick(plugins, "echo"), { fn: () => 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "DataCloneError" });
    expect(await pool.run(pick(plugins, "counter"), {})).toEqual({ calls: 2 });
  });

  it("drops a worker that exits while idle and starts a new one for the next call", async () => {
    const pool = testRunner({ maxWorkers: 1 });
    expect(await pool.run(pick(plugins, "counter"), {})).toEqual({ calls: 1 });
    expect(await pool.run(pick(plugins, "exits_later"), {})).toEqual({ ok: true });
    await sleep(500);
    expect(await pool.run(pick(plugins, "counter"), {})).toEqual({ calls: 1 });
  });

  it("hides secret-looking environment variables from plugin code", async () => {
    const secrets = {
      MOZAIKS_INTERNAL_API_KEY: "k",
      MOZAIKS_AUTH_HS256_SECRET: "s",
      MOZAIKS_ENTITLEMENT_SIGNING_KEY: "sk",
      POOL_TEST_DB_PASSWORD: "p",
      POOL_TEST_GITHUB_TOKEN: "t",
      POOL_TEST_private_key: "pk",
      POOL_TEST_STRIPE_API_KEY: "a",
    };
    const saved = { ...process.env };
    Object.assign(process.env, secrets, { POOL_TEST_VISIBLE: "yes" });
    try {
      // Workers copy the environment when they start, and the pool starts them on demand.
      const { names } = (await testRunner({ maxWorkers: 1 }).run(pick(plugins, "env_probe"), {})) as {
        names: string[];
      };
      expect(names).toContain("POOL_TEST_VISIBLE");
      for (const name of Object.keys(secrets)) expect(names).not.toContain(name);
    } finally {
      for (const name of [...Object.keys(secrets), "POOL_TEST_VISIBLE"])
        if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it("sends plugin stdout and stderr lines to onLog, named by the plugin that printed them", async () => {
    const lines: Array<[string, string, string]> = [];
    const pool = testRunner({
      maxWorkers: 1,
      onLog: (plugin, stream, line) => lines.push([plugin, stream, line]),
    });
    expect(await pool.run(pick(plugins, "prints"), { who: "pool" })).toEqual({ printed: true });
    // The next call on the same worker starts before all of that output has arrived.
    expect(await pool.run(pick(plugins, "counter"), {})).toEqual({ calls: 1 });
    await vi.waitFor(() => expect(lines).toHaveLength(4), { timeout: 5_000 });
    expect(lines.filter(([, stream]) => stream === "stdout")).toEqual([
      ["prints", "stdout", "hello pool"],
      ["prints", "stdout", "two"],
      ["prints", "stdout", "lines"],
    ]);
    expect(lines).toContainEqual(["prints", "stderr", "careful"]);
  });

  it("close() terminates idle workers too, stopping timers plugins left behind", async () => {
    const pool = testRunner({ maxWorkers: 2 });
    const ticks = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    expect(await pool.run(pick(plugins, "background_ticker"), { ticks })).toEqual({ started: true });
    await vi.waitFor(() => expect(Atomics.load(ticks, 0)).toBeGreaterThan(5), { timeout: 5_000 });
    await pool.close();
    const after = Atomics.load(ticks, 0);
    await sleep(100);
    expect(Atomics.load(ticks, 0)).toBe(after);
  });
});
