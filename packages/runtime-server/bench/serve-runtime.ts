// The runtime under load for the bench: HS256 user auth, internal key, a temp bundle holding
// the example echo plugin and no manifest (OSS defaults, so no per-call limit reservation).
import { serve } from "@hono/node-server";
import { createRuntimeFromConfig } from "../src/bootstrap.js";
import { loadConfig } from "../src/config.js";

const config = loadConfig(process.env);
const { app } = await createRuntimeFromConfig(config);
await app.runtime.start();
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});
process.on("SIGTERM", () => {
  server.close(() => {
    void app.runtime.close().then(() => process.exit(0));
  });
});
