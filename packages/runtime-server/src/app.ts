import type { Hono } from "hono";
import { createHttpApp } from "./http/app.js";
import type { RuntimeHonoEnv } from "./http/hono-env.js";
import { createRuntime, type RuntimeAppDeps, type RuntimeHandle } from "./runtime.js";

export type { RouteExtension } from "./http/app.js";
export type { RuntimeAppDeps, RuntimeHandle } from "./runtime.js";

/** The typed hono app with its lifecycle handle. */
export type RuntimeApp = Hono<RuntimeHonoEnv> & { runtime: RuntimeHandle };

/**
 * Builds the runtime's hono app from injected services (config, store, keys, clock, logger),
 * so tests run it in-process with `app.request()`: the runtime (src/runtime.ts: the shared
 * context and its start/close lifecycle) with the HTTP app on top (src/http/app.ts). Every
 * response carries `X-Mozaiks-Runtime-Version` and `X-Request-Id`; bodies over `maxBodyBytes`
 * are 413.
 *
 * @example
 * ```ts
 * const app = createRuntimeApp({ config, store: openStore(":memory:"), keys: { user: { hs256Secret }, entitlements: {} } });
 * await app.runtime.start();
 * const res = await app.request("/health");
 * ```
 */
export function createRuntimeApp(deps: RuntimeAppDeps): RuntimeApp {
  const runtime = createRuntime(deps);
  return Object.assign(createHttpApp(runtime, deps.routeExtensions), { runtime });
}
