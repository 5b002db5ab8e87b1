import { describe, expect, it, vi } from "vitest";
import { holdState, loadAll, PLUGINS_DIR, pick, sleep, testRunner } from "./helpers.js";

// One plugin that hangs or floods its output must not starve or stall the others: it holds
// at most its share of the pool, the pool grows for everyone else, a call's budget counts its
// execution only, and what a call prints is bounded before it reaches the server.

const plugins = await loadAll(PLUGINS_DIR);

describe("PluginRunner isolation between plugins", () => {
  it("serves 20 echo calls while 4 hold calls hang, holding at most their share of the pool", async () => {
    const pool = testRunner({ maxWorkers: 4 });
    const state = holdState();
    const held = Array.from({ length: 4 }, () => pool.run(pick(plugins, "hold"), { state }));
    await vi.waitFor(() => expect(Atomics.load(state, 0)).toBe(2), { timeout: 10_000 });
    // A budget that would expire if echo had to wait for the hanging calls.
    const echoes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => pool.run(pick(plugins, "echo"), { i }, { timeoutMs: 5_000 })),
    );
    expect(echoes.filter((r) => r.status === "fulfilled")).toHaveLength(20);
    expect(Atomics.load(state, 1)).toBe(2);
    expect(pool.stats).toMatchObject({ running: 2, queued: 2 });
    Atomics.store(state, 2, 1);
    expect(await Promise.all(held)).toEqual(Array.from({ length: 4 }, () => ({ done: true })));
  });

  it("serves echo while a synchronous loop hangs on a pool of 2 (1 worker per plugin)", async () => {
    const pool = testRunner({ maxWorkers: 2 });
    const spins = [0, 1].map(() =>
      pool.run(pick(plugins, "spin"), {}, { timeoutMs: 10_000 }).catch((e: unknown) => e),
    );
    await vi.waitFor(() => expect(pool.stats.running).toBe(1), { timeout: 10_000 });
    const echoes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => pool.run(pick(plugins, "echo"), { i }, { timeoutMs: 5_000 })),
    );
    expect(echoes.filter((r) => r.status === "fulfilled")).toHaveLength(20);
    await pool.close();
    expect(await Promise.all(spins)).toEqual([
      expect.objectContaining({ code: "plugin_error" }),
      expect.objectContaining({ code: "plugin_error" }),
    ]);
  });

  it("refuses a plugin's calls beyond its own queue as plugin_busy, while other plugins still run", async () => {
    const pool = testRunner({ maxWorkers: 2, maxQueuePerPlugin: 1 });
    const state = holdState();
    const held = [pool.run(pick(plugins, "hold"), { state }), pool.run(pick(plugins, "hold"), { state })];
    await vi.waitFor(() => expect(Atomics.load(state, 0)).toBe(1), { timeout: 10_000 });
    const err = await pool.run(pick(plugins, "hold"), { state }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "plugin_busy",
      plugin: "hold",
      message: 'plugin "hold" is busy (1 running, 1 waiting)',
    });
    // Retry once the running call's budget (15 s) is over at the latest.
    expect((err as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((err as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(15);
    expect(await pool.run(pick(plugins, "echo"), { ok: 1 })).toEqual({ data: { ok: 1 }, context: null });
    Atomics.store(state, 2, 1);
    expect(await Promise.all(held)).toEqual([{ done: true }, { done: true }]);
  });

  it("counts a call's budget from the moment it runs, not while it waits for a worker", async () => {
    const pool = testRunner({ maxWorkers: 1 });
    const first = holdState();
    const second = holdState();
    const a = pool.run(pick(plugins, "hold"), { state: first });
    await vi.waitFor(() => expect(Atomics.load(first, 0)).toBe(1), { timeout: 10_000 });
    const b = pool.run(pick(plugins, "hold"), { state: second }, { timeoutMs: 3_000 });
    await sleep(2_000);
    Atomics.store(first, 2, 1);
    expect(await a).toEqual({ done: true });
    await vi.waitFor(() => expect(Atomics.load(second, 0)).toBe(1), { timeout: 1_000 });
    // 3.5 s after run() but 1.5 s into its own execution: still inside its 3 s budget.
    await sleep(1_500);
    Atomics.store(second, 2, 1);
    expect(await b).toEqual({ done: true });
  });

  it("grows the pool up to maxWorkers under load and shrinks back to minWorkers when idle", async () => {
    const pool = testRunner({ minWorkers: 1, maxWorkers: 3, maxWorkersPerPlugin: 3, idleTimeoutMs: 200 });
    const state = holdState();
    const held = Array.from({ length: 4 }, () => pool.run(pick(plugins, "hold"), { state }));
    await vi.waitFor(() => expect(Atomics.load(state, 0)).toBe(3), { timeout: 10_000 });
    expect(pool.stats).toMatchObject({ workers: 3, queued: 1 });
    Atomics.store(state, 2, 1);
    await Promise.all(held);
    expect(Atomics.load(state, 1)).toBe(3);
    await vi.waitFor(() => expect(pool.stats).toMatchObject({ workers: 1, idle: 1 }), { timeout: 5_000 });
    expect(await pool.run(pick(plugins, "echo"), { after: "shrink" })).toMatchObject({
      data: { after: "shrink" },
    });
  });
});

describe("PluginRunner output bound", () => {
  it("keeps 64 KiB of what a call prints, drops the rest of 100 MB and says so in the log", async () => {
    let bytes = 0;
    const lines: Array<[string, string, string]> = [];
    const pool = testRunner({
      maxWorkers: 1,
      onLog: (plugin, stream, line) => {
        bytes += Buffer.byteLength(line) + 1;
        if (lines.length < 1000) lines.push([plugin, stream, line]);
      },
    });
    expect(await pool.run(pick(plugins, "floods_stdout"), { mb: 100 })).toEqual({
      lines: 102_400,
      bytes: 104_857_600,
    });
    // The next call on that worker prints under a fresh allowance.
    expect(await pool.run(pick(plugins, "prints"), { who: "after" })).toEqual({ printed: true });
    await vi.waitFor(() => expect(lines).toContainEqual(["prints", "stdout", "lines"]), {
      timeout: 10_000,
    });
    expect(bytes).toBeLessThan(64 * 1024 + 1024);
    const notice = lines.find(([, , line]) => line.includes("output truncated"));
    expect(notice?.[0]).toBe("floods_stdout");
    expect(notice?.[2]).toBe(
      `[mozaiks] output truncated: ${104_857_600 - 64 * 1024} more bytes of stdout/stderr dropped (limit 65536 bytes per call)`,
    );
    expect(lines.filter(([plugin]) => plugin === "prints").map(([, , line]) => line)).toEqual(
      expect.arrayContaining(["hello after", "careful", "two", "lines"]),
    );
  });
});
