import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import {
  createLogger,
  createRuntimeApp,
  frozenClock,
  loadConfig,
  openStore,
  type RuntimeApp,
} from "@mozaiks/runtime-server";
import { SignJWT } from "jose";

export const APP_ID = "example-app";
export const INTERNAL_KEY = "client-test-internal-key-0123456789";
const SECRET = new TextEncoder().encode("client-test-hs256-secret-long-enough-0123456789");
export const NOW = new Date("2026-03-15T12:00:00Z");
const EXAMPLE_APP = fileURLToPath(new URL("../../../examples/app", import.meta.url));

/** An HS256 user token the test runtime accepts. */
export async function token(sub = "alice", over: Record<string, unknown> = {}): Promise<string> {
  const iat = Math.floor(NOW.getTime() / 1000);
  return new SignJWT({ app_id: APP_ID, roles: ["user"], ...over })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(SECRET);
}

/** A real runtime (the example app bundle, in-memory SQLite) served by @hono/node-server on loopback. */
export async function startRuntime(opts: { start?: boolean } = {}): Promise<{
  url: string;
  app: RuntimeApp;
  requests: () => number;
  close(): Promise<void>;
}> {
  const config = loadConfig({
    MOZAIKS_APP_ID: APP_ID,
    MOZAIKS_DB_PATH: ":memory:",
    MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY,
    MOZAIKS_LOG_LEVEL: "silent",
  });
  const app = createRuntimeApp({
    config: { ...config, appPath: EXAMPLE_APP },
    store: openStore(":memory:"),
    clock: frozenClock(NOW),
    logger: createLogger("silent"),
    keys: { user: { hs256Secret: SECRET }, entitlements: {} },
  });
  if (opts.start !== false) await app.runtime.start();
  let n = 0;
  const server = serve({
    fetch: (req) => {
      n++;
      return app.fetch(req);
    },
    hostname: "127.0.0.1",
    port: 0,
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    requests: () => n,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.runtime.close();
    },
  };
}

/** A plain HTTP server on loopback answering with `handler` (for answers a runtime gives rarely). */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<{ url: string; hits: number[]; close(): Promise<void> }> {
  const hits: number[] = [];
  const server = createServer((req, res) => {
    hits.push(Date.now());
    handler(req, res, hits.length);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
