import { describe, expect, it } from "vitest";
import { context, loadAll, PLUGINS_DIR, pick, testRunner } from "../plugins/helpers.js";

const data = (extra: Record<string, unknown> = {}) => ({ ...extra, _context: context, user_jwt: "t" });

describe("plugin runner stats (read by the metrics collector)", () => {
  it("counts timeouts, lost workers and busy refusals next to the pool's size and queue", async () => {
    const plugins = await loadAll(PLUGINS_DIR);
    const runner = testRunner({
      timeoutMs: 300,
      minWorkers: 0,
      maxWorkers: 1,
      maxQueue: 0,
      onLog: () => undefined,
    });
    expect(runner.stats).toMatchObject({ workers: 0, queued: 0, timeouts: 0, crashes: 0, busy: 0 });
    await expect(runner.run(pick(plugins, "spin"), data())).rejects.toMatchObject({
      code: "plugin_timeout",
    });
    await expect(runner.run(pick(plugins, "exits"), data())).rejects.toMatchObject({
      code: "plugin_error",
    });
    const echo = runner.run(pick(plugins, "echo"), data({ message: "hi" }));
    // The only worker is taken and nothing may wait: refused as busy.
    await expect(runner.run(pick(plugins, "echo"), data())).rejects.toMatchObject({ code: "plugin_busy" });
    await echo;
    expect(runner.stats).toMatchObject({ timeouts: 1, crashes: 1, busy: 1, running: 0, queued: 0 });
  });
});
