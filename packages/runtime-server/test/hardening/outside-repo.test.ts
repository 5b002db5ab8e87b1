import { cpSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, EXAMPLE_APP } from "../helpers/runtime.js";
import { call, MODULE_CAPS, writeManifest } from "../modules/helpers.js";
import { PLUGINS_DIR } from "../plugins/helpers.js";
import { runEvents, startRun } from "../workflows/helpers.js";

// Inside the repository the root package.json ("type": "module") decides how .js and .ts
// files load. A bundle deployed anywhere else has no package.json above it: each kind of
// entry must still load (TypeScript compiled, plain .js as ESM, .cjs as CommonJS), and a
// TypeScript entry must not change how later .js entries load on the same worker.

let root: string;
let app: RuntimeApp;

function nearestPackageJson(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, "package.json"))) return join(at, "package.json");
    if (dirname(at) === at) return undefined;
  }
}

beforeAll(async () => {
  root = tempDir("mozaiks-outside-");
  const bundle = join(root, "app");
  cpSync(EXAMPLE_APP, bundle, { recursive: true });
  for (const name of ["greet_ts", "cjs_plugin", "counter"])
    cpSync(join(PLUGINS_DIR, name), join(bundle, "plugins", name), { recursive: true });
  writeManifest(bundle, [
    ...MODULE_CAPS,
    "cap.tool.echo",
    "cap.tool.word_count",
    "cap.tool.greet_ts",
    "cap.tool.cjs_plugin",
    "cap.tool.counter",
    "cap.workflow.summarize",
    "cap.workflow.basic",
  ]);
  ({ app } = await buildTestRuntime({ appPath: bundle, modules: {} }));
});

afterAll(async () => {
  await app?.runtime.close();
});

async function execute(plugin: string, body: unknown): Promise<Response> {
  return app.request(`/api/execute/${plugin}`, {
    method: "POST",
    headers: { ...bearer(await signToken()), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("an app bundle outside the repository (no package.json above it)", () => {
  it("really has no package.json above it", () => {
    expect(nearestPackageJson(join(root, "app", "plugins", "word_count"))).toBeUndefined();
  });

  it("runs TypeScript, then .js, .cjs and TypeScript plugins again on the same workers", async () => {
    const results: Array<[string, number, unknown]> = [];
    for (const [plugin, body] of [
      ["word_count", { text: "one two three" }],
      ["echo", { message: "after ts" }],
      ["greet_ts", { greeting: "Hi" }],
      ["cjs_plugin", { value: 7 }],
      ["counter", {}],
      ["word_count", { text: "four" }],
    ] as const) {
      const res = await execute(plugin, body);
      results.push([plugin, res.status, await res.json()]);
    }
    expect(results).toEqual([
      ["word_count", 200, { words: 3, characters: 13, lines: 1 }],
      ["echo", 200, expect.objectContaining({ echo: { message: "after ts" } })],
      ["greet_ts", 200, { message: "Hi, ada" }],
      ["cjs_plugin", 200, { kind: "cjs", value: 7 }],
      ["counter", 200, { calls: 1 }],
      ["word_count", 200, { words: 1, characters: 4, lines: 1 }],
    ]);
  });

  it("runs the example's summarize workflow (a TypeScript tool step) to completion", async () => {
    const res = await startRun(app, "summarize", { text: "Bundles load anywhere. Even in /tmp." });
    expect(res.status, await res.clone().text()).toBe(201);
    const { run_id } = (await res.json()) as { run_id: string };
    const events = await runEvents(app, run_id);
    const last = events.at(-1);
    expect(last?.event, JSON.stringify(last?.data)).toBe("orchestration.run_completed");
    expect(last?.data.output).toMatchObject({ words: 6 });
  });

  it("serves a pack module action from the bundle's TypeScript handlers", async () => {
    const token = await signToken();
    const res = await call(app, "/api/modules/notifications/create", { title: "Hi", body: "there" }, token);
    expect(res.status, await res.clone().text()).toBe(200);
    const list = await call(app, "/api/modules/notifications/list", {}, token);
    expect(list.status, await list.clone().text()).toBe(200);
  });
});
