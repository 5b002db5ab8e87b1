import { cpSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PluginRunner } from "../../src/engine/plugins/index.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime } from "../helpers/runtime.js";
import { writeManifest } from "../modules/helpers.js";
import { PLUGINS_DIR } from "./helpers.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function runtimeWith(env: Record<string, string>) {
  const dir = tempDir("mozaiks-busy-");
  for (const name of ["spin", "echo"])
    cpSync(join(PLUGINS_DIR, name), join(dir, "plugins", name), { recursive: true });
  writeManifest(dir, ["cap.tool.spin"]);
  const { app } = await buildTestRuntime({ appPath: dir, env });
  const token = await signToken();
  const execute = (plugin: string, body: unknown = {}) =>
    Promise.resolve(
      app.request(`/api/execute/${plugin}`, {
        method: "POST",
        headers: { ...bearer(token), "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
  return { app, execute, runner: app.runtime.ctx.plugins.executor as PluginRunner };
}

describe("POST /api/execute while a plugin hangs", () => {
  it("serves other plugins, and answers 503 plugin_busy with Retry-After once the queue is full", async () => {
    const { execute, runner } = await runtimeWith({
      MOZAIKS_PLUGIN_MAX_WORKERS: "2",
      MOZAIKS_PLUGIN_MAX_QUEUE: "1",
      MOZAIKS_PLUGIN_TIMEOUT_SECONDS: "10",
    });
    const hanging = [execute("spin")];
    await vi.waitFor(() => expect(runner.stats.running).toBe(1), { timeout: 10_000 });
    // spin holds its share (1 of 2 workers): its second call waits, its third finds the queue full.
    hanging.push(execute("spin"));
    await vi.waitFor(() => expect(runner.stats.queued).toBe(1), { timeout: 5_000 });
    const busy = await execute("spin");
    expect(busy.status).toBe(503);
    expect(await busy.json()).toMatchObject({
      error: "plugin_busy",
      plugin: "spin",
      message: "the plugin runner is busy (1 calls waiting for a worker)",
    });
    const retryAfter = Number(busy.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);

    // One after another: with a queue of 1 a burst of echo calls would be refused in turn.
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await execute("echo", { i })).status);
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
    expect(runner.stats).toMatchObject({ running: 1, queued: 1 });
    await runner.close();
    expect((await Promise.all(hanging)).map((r) => r.status)).toEqual([500, 500]);
  });
});
