// The runtime under load for the bench: HS256 user auth, internal key, a temp bundle holding
// the example echo plugin and no manifest (OSS defaults, so no per-call limit reservation).
// BENCH_INPROCESS_PLUGINS=1 calls the plugin module directly instead of in an isolated worker,
// to separate the control path's cost from the isolation's (diagnostic only).
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { createRuntimeApp } from "../src/app.js";
import { createRuntimeFromConfig } from "../src/bootstrap.js";
import { loadConfig } from "../src/config.js";
import { userAuthKeysFromConfig } from "../src/control/auth/keys.js";
import type { PluginExecutor } from "../src/control/plugins/registry.js";
import { openStore } from "../src/store/db.js";

const config = loadConfig(process.env);
type PluginModule = { execute: (d: unknown, c: unknown) => unknown };
const loaded = new Map<string, PluginModule>();
const inProcess: PluginExecutor = {
  async run(plugin, data) {
    let mod = loaded.get(plugin.entryPath);
    if (!mod) {
      mod = (await import(pathToFileURL(plugin.entryPath).href)) as PluginModule;
      loaded.set(plugin.entryPath, mod);
    }
    return JSON.parse(JSON.stringify(await mod.execute(data, data._context)));
  },
  async close() {},
};
const app =
  process.env.BENCH_INPROCESS_PLUGINS === "1"
    ? createRuntimeApp({
        config,
        store: openStore(config.dbPath),
        keys: { user: userAuthKeysFromConfig(config.auth), entitlements: {} },
        pluginExecutor: inProcess,
      })
    : (await createRuntimeFromConfig(config)).app;
await app.runtime.start();
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});
process.on("SIGTERM", () => {
  server.close(() => {
    void app.runtime.close().then(() => process.exit(0));
  });
});
