#!/usr/bin/env node
import {
  ConfigError,
  createModuleHost,
  createRuntimeFromConfig,
  isRuntimeError,
  loadConfig,
} from "@mozaiks/runtime-server";
import { countersCommand } from "./commands/counters.js";
import { runtimeEnv } from "./env.js";
import { listen, PortInUseError } from "./server.js";

function fail(message: string): never {
  process.stderr.write(`mozaiks-runtime: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const env = runtimeEnv();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  let runtime: Awaited<ReturnType<typeof createRuntimeFromConfig>>;
  try {
    // Pack modules of the bundle (`<app>/modules`) are hosted next to the plugins.
    runtime = await createRuntimeFromConfig(config, { routeExtensions: [createModuleHost()] });
  } catch (err) {
    if (err instanceof ConfigError || isRuntimeError(err)) fail(err.message);
    throw err;
  }
  const { app, logger, devAuth } = runtime;
  try {
    await app.runtime.start();
  } catch (err) {
    await app.runtime.close();
    fail(`cannot load the app bundle: ${(err as Error).message}`);
  }
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(app, { host: config.host, port: config.port, logger });
  } catch (err) {
    await app.runtime.close();
    if (err instanceof PortInUseError) fail(err.message);
    throw err;
  }
  logger.info({ url: server.url, port: server.port, app_id: config.appId, env: config.env }, "listening");
  if (devAuth) {
    process.stdout.write(
      [
        "",
        `Mozaiks runtime (development) for ${config.appId} at ${server.url}`,
        "Ephemeral dev token (valid 24 h, this process only):",
        devAuth.token,
        "Try:",
        `  export TOKEN=${devAuth.token}`,
        `  curl -s ${server.url}/api/plugins -H "Authorization: Bearer $TOKEN"`,
        `  curl -s -X POST ${server.url}/api/execute/echo -H "Authorization: Bearer $TOKEN" -H "content-type: application/json" -d '{"message":"hi"}'`,
        `  curl -s -X POST ${server.url}/api/workflows/summarize/runs -H "Authorization: Bearer $TOKEN" -H "content-type: application/json" -d '{"input":{"text":"Mozaiks enforces capabilities. Plans map to capabilities."}}'`,
        `  curl -sN ${server.url}/api/runs/<run_id>/events -H "Authorization: Bearer $TOKEN"`,
        "",
      ].join("\n"),
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "signal received");
    server.shutdown(config.shutdownTimeoutMs).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

const entry = process.argv[2] === "counters" ? () => countersMain(process.argv.slice(3)) : main;

async function countersMain(args: string[]): Promise<void> {
  process.exit(await countersCommand(args, runtimeEnv()));
}

entry().catch((err: unknown) => {
  process.stderr.write(
    `mozaiks-runtime: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
