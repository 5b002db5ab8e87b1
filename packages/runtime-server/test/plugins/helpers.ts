import { fileURLToPath } from "node:url";
import type { PluginContext } from "@mozaiks/contracts";
import { type LoadedPlugin, loadPlugins } from "../../src/engine/plugins/index.js";

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
