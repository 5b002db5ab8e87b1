// Child process of tracing.test.ts (plain Node, as in production; vitest resolves packages with
// the bundler "module" condition, which OpenTelemetry's builds do not load under). Builds a
// runtime on the example bundle with OTEL_EXPORTER_OTLP_ENDPOINT from its environment, serves a
// few requests, closes it and prints (last line, JSON) the statuses and every @opentelemetry
// module it loaded.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire, register } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = mkdtempSync(join(tmpdir(), "mozaiks-otel-probe-"));
const log = join(dir, "resolved.txt");
appendFileSync(log, "");
// ESM resolutions are seen by a resolve hook (it runs on the loader thread, so it writes a file).
register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from "node:fs";
    export async function resolve(specifier, context, next) {
      const r = await next(specifier, context);
      if (r.url.includes("/node_modules/@opentelemetry/")) appendFileSync(${JSON.stringify(log)}, r.url + "\\n");
      return r;
    }`)}`,
);

const { createLocalJWKSet } = await import("jose");
const { createRuntimeApp } = await import("../../src/app.js");
const { frozenClock } = await import("../../src/clock.js");
const { loadConfig } = await import("../../src/config.js");
const { createLogger } = await import("../../src/logger.js");
const { openStore } = await import("../../src/store/db.js");
const { APP_ID, AUDIENCE, ISSUER, NOW, SCOPE, signToken, userJwks } = await import("../helpers/keys.js");

const config = loadConfig({
  MOZAIKS_APP_ID: APP_ID,
  MOZAIKS_APP_PATH: fileURLToPath(new URL("../../../../examples/app", import.meta.url)),
  MOZAIKS_DB_PATH: ":memory:",
  MOZAIKS_AUTH_ISSUER: ISSUER,
  MOZAIKS_AUTH_AUDIENCE: AUDIENCE,
  MOZAIKS_AUTH_REQUIRED_SCOPE: SCOPE,
  MOZAIKS_LOG_LEVEL: "silent",
  OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME,
});
const app = createRuntimeApp({
  config,
  store: openStore(":memory:"),
  clock: frozenClock(NOW),
  logger: createLogger("silent"),
  keys: { user: { jwks: createLocalJWKSet(userJwks) }, entitlements: {} },
});
await app.runtime.start();
const execute = async (plugin: string) =>
  app.request(`/api/execute/${plugin}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${await signToken({ sub: "user-secret-42" })}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ message: "hi" }),
  });
const statuses = [
  (await app.request("/health")).status,
  (await execute("echo")).status,
  (await execute("no-such-plugin-xyz")).status,
  (await app.request("/no/such/path")).status,
];
await app.runtime.close();

const cjs = Object.keys(createRequire(import.meta.url).cache).filter((p) =>
  p.includes("/node_modules/@opentelemetry/"),
);
const esm = readFileSync(log, "utf8").split("\n").filter(Boolean);
rmSync(dir, { recursive: true, force: true });
// Package names, e.g. "@opentelemetry/sdk-trace-base".
const packages = [...esm, ...cjs].map((p) => /\/node_modules\/(@opentelemetry\/[^/]+)\//.exec(p)?.[1] ?? p);
console.log(JSON.stringify({ statuses, loaded: [...new Set(packages)].sort() }));
