import { fileURLToPath } from "node:url";
import { createLocalJWKSet } from "jose";
import type { Logger } from "pino";
import { onTestFinished } from "vitest";
import { createRuntimeApp, type RuntimeApp } from "../../src/app.js";
import { frozenClock, systemClock } from "../../src/clock.js";
import type { EntitlementKeys } from "../../src/control/entitlements/keys.js";
import type { PluginExecutor } from "../../src/control/plugins/registry.js";
import { createLogger } from "../../src/logger.js";
import { createModuleHost, type ModuleHost, type ModuleHostOptions } from "../../src/modules/index.js";
import { openStore, type Store } from "../../src/store/db.js";
import type { RuntimeStore } from "../../src/store/open.js";
import { testConfig } from "./config.js";
import type { Driver } from "./drivers.js";
import { INTERNAL_KEY, NOW, userJwks } from "./keys.js";

/** The repo's example bundle (plugins from the plugin engineer, signed files from our script). */
export const EXAMPLE_APP = fileURLToPath(new URL("../../../../examples/app", import.meta.url));

export interface TestRuntimeOptions {
  env?: Record<string, string | undefined>;
  appPath?: string | undefined;
  store?: RuntimeStore;
  /** A private database of this engine (ignored when `store` is given); default in-memory SQLite. */
  driver?: Driver;
  entitlementKeys?: EntitlementKeys;
  executor?: PluginExecutor;
  /** Hosts the bundle's pack modules (a module host with these options, polling off). */
  modules?: ModuleHostOptions;
  logger?: Logger;
  /** Runs the runtime on the wall clock (what a browser counts down against), not on `clock`. */
  wallClock?: boolean;
  start?: boolean;
}

/** What {@link buildTestRuntime} built. */
export interface TestRuntime<S extends RuntimeStore> {
  app: RuntimeApp;
  clock: ReturnType<typeof frozenClock>;
  store: S;
  /** The module host, when built with `modules`. */
  host: ModuleHost | undefined;
}

/**
 * Builds an in-process runtime with a frozen clock, the test IdP keys and in-memory SQLite (or
 * a fresh database of `opts.driver`, e.g. `describe.each(drivers)`). Built inside a test, it is
 * closed when the test finishes, passed or failed (closing twice is harmless, so a test may
 * still close it itself, e.g. to reopen its database).
 */
export async function buildTestRuntime(
  opts: TestRuntimeOptions & { store?: Store; driver?: undefined; modules: ModuleHostOptions },
): Promise<TestRuntime<Store> & { host: ModuleHost }>;
export async function buildTestRuntime(
  opts?: TestRuntimeOptions & { store?: Store; driver?: undefined },
): Promise<TestRuntime<Store>>;
export async function buildTestRuntime(opts: TestRuntimeOptions): Promise<TestRuntime<RuntimeStore>>;
export async function buildTestRuntime(opts: TestRuntimeOptions = {}): Promise<TestRuntime<RuntimeStore>> {
  const config = testConfig(opts.env);
  const clock = frozenClock(NOW);
  const store = opts.store ?? (opts.driver ? await opts.driver.scratch() : openStore(":memory:"));
  const host = opts.modules ? createModuleHost({ pollIntervalMs: 0, ...opts.modules }) : undefined;
  const app = createRuntimeApp({
    config: { ...config, appPath: "appPath" in opts ? opts.appPath : EXAMPLE_APP },
    store,
    clock: opts.wallClock ? systemClock : clock,
    logger: opts.logger ?? createLogger("silent"),
    keys: { user: { jwks: createLocalJWKSet(userJwks) }, entitlements: opts.entitlementKeys ?? {} },
    ...(opts.executor ? { pluginExecutor: opts.executor } : {}),
    ...(host ? { routeExtensions: [host] } : {}),
  });
  closeWhenTestFinishes(() => app.runtime.close());
  if (opts.start !== false) await app.runtime.start();
  return { app, clock, store, host };
}

/** Inside a test: runs `close` when it finishes. Outside one (beforeAll), the caller closes. */
function closeWhenTestFinishes(close: () => Promise<void>): void {
  try {
    onTestFinished(close);
  } catch {
    // built outside a test
  }
}

/** Authorization header for `token`. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** JSON request init with the internal key. */
export function internal(body: unknown, key = INTERNAL_KEY): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", "x-internal-api-key": key },
    body: JSON.stringify(body),
  };
}
