import { fileURLToPath } from "node:url";
import type { PluginContext } from "@mozaiks/contracts";
import { afterAll, onTestFinished } from "vitest";
import {
  type LoadedPlugin,
  loadPlugins,
  PluginRunner,
  type PluginRunnerOptions,
} from "../../src/engine/plugins/index.js";

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
export const PLUGINS_DIR = `${FIXTURES}plugins`;
export const BROKEN_DIR = `${FIXTURES}broken`;
export const EXAMPLES_DIR = fileURLToPath(new URL("../../../../examples/app/plugins", import.meta.url));

export const context: PluginContext = {
  app_id: "app_test",
  user_id: "user_1",
  username: "ada",
  roles: ["member"],
  is_superadmin: false,
};

/** Loads a plugins folder that must load cleanly, indexed by name. */
export async function loadAll(dir: string): Promise<Map<string, LoadedPlugin>> {
  const { plugins, errors } = await loadPlugins(dir);
  if (errors.length > 0) throw new Error(`unexpected load errors: ${JSON.stringify(errors)}`);
  return new Map(plugins.map((p) => [p.descriptor.name, p]));
}

export function pick(plugins: Map<string, LoadedPlugin>, name: string): LoadedPlugin {
  const plugin = plugins.get(name);
  if (!plugin) throw new Error(`fixture plugin ${name} not loaded`);
  return plugin;
}

/** A runner with the tests' generous call budget; `opts` adds limits or overrides it. */
function newRunner(opts: Partial<PluginRunnerOptions>): PluginRunner {
  return new PluginRunner({ timeoutMs: 15_000, ...opts });
}

/**
 * For a test file: the plugins of `dir`, loaded as the file is collected, and one runner
 * that all of the file's tests share, closed after the last of them.
 */
export async function pluginSuite(
  dir: string,
  opts: Partial<PluginRunnerOptions> = {},
): Promise<{ plugins: Map<string, LoadedPlugin>; runner: PluginRunner }> {
  const plugins = await loadAll(dir);
  const runner = newRunner(opts);
  afterAll(() => runner.close());
  return { plugins, runner };
}

/** A runner of the current test's own, closed when the test finishes, passed or failed. */
export function testRunner(opts: Partial<PluginRunnerOptions> = {}): PluginRunner {
  const runner = newRunner(opts);
  onTestFinished(() => runner.close());
  return runner;
}

/** Shared state of the `hold` fixture: [0] running now, [1] most at once, [2] release flag. */
export function holdState(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
