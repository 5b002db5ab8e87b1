import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLocalJWKSet } from "jose";
import { createRuntimeApp, type RuntimeApp } from "../../src/app.js";
import { frozenClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import type { EntitlementKeys } from "../../src/control/entitlements/keys.js";
import type { PluginExecutor } from "../../src/control/plugins.js";
import { createLogger } from "../../src/logger.js";
import { openStore, type Store } from "../../src/store/db.js";
import type { RuntimeStore } from "../../src/store/open.js";
import type { Driver } from "./drivers.js";
import { APP_ID, AUDIENCE, INTERNAL_KEY, ISSUER, NOW, SCOPE, userJwks } from "./keys.js";

/** The repo's example bundle (plugins from the plugin engineer, signed files from our script). */
export const EXAMPLE_APP = fileURLToPath(new URL("../../../../examples/app", import.meta.url));

/** A fresh temp directory removed by the returned cleanup. */
export function tempDir(prefix = "mozaiks-rt-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestRuntimeOptions {
  env?: Record<string, string | undefined>;
  appPath?: string | undefined;
  store?: RuntimeStore;
  /** A private database of this engine (ignored when `store` is given); default in-memory SQLite. */
  driver?: Driver;
  entitlementKeys?: EntitlementKeys;
  executor?: PluginExecutor;
  start?: boolean;
}

/** What {@link buildTestRuntime} built. */
export interface TestRuntime<S extends RuntimeStore> {
  app: RuntimeApp;
  clock: ReturnType<typeof frozenClock>;
  store: S;
}

/**
 * Builds an in-process runtime with a frozen clock, the test IdP keys and in-memory SQLite (or
 * a fresh database of `opts.driver`, e.g. `describe.each(drivers)`).
 */
export async function buildTestRuntime(
  opts?: TestRuntimeOptions & { store?: Store; driver?: undefined },
): Promise<TestRuntime<Store>>;
export async function buildTestRuntime(opts: TestRuntimeOptions): Promise<TestRuntime<RuntimeStore>>;
export async function buildTestRuntime(opts: TestRuntimeOptions = {}): Promise<TestRuntime<RuntimeStore>> {
  const config = loadConfig({
    MOZAIKS_APP_ID: APP_ID,
    MOZAIKS_DB_PATH: ":memory:",
    MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY,
    MOZAIKS_AUTH_ISSUER: ISSUER,
    MOZAIKS_AUTH_AUDIENCE: AUDIENCE,
    MOZAIKS_AUTH_REQUIRED_SCOPE: SCOPE,
    MOZAIKS_LOG_LEVEL: "silent",
    MOZAIKS_PLUGIN_TIMEOUT_SECONDS: "10",
    ...opts.env,
  });
  const clock = frozenClock(NOW);
  const store = opts.store ?? (opts.driver ? await opts.driver.scratch() : openStore(":memory:"));
  const app = createRuntimeApp({
    config: { ...config, appPath: "appPath" in opts ? opts.appPath : EXAMPLE_APP },
    store,
    clock,
    logger: createLogger("silent"),
    keys: { user: { jwks: createLocalJWKSet(userJwks) }, entitlements: opts.entitlementKeys ?? {} },
    ...(opts.executor ? { pluginExecutor: opts.executor } : {}),
  });
  if (opts.start !== false) await app.runtime.start();
  return { app, clock, store };
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
