import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { applyOverlay, loadCatalog, planBuildOrThrow } from "@mozaiks/capability-packs";
import { createLocalJWKSet } from "jose";
import type { Logger } from "pino";
import { createRuntimeApp, type RuntimeApp } from "../../src/app.js";
import { frozenClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { createModuleHost, type ModuleHost, type ModuleHostOptions } from "../../src/modules/index.js";
import { openStore, type Store } from "../../src/store/db.js";
import { APP_ID, AUDIENCE, INTERNAL_KEY, ISSUER, NOW, SCOPE, signToken, userJwks } from "../helpers/keys.js";
import { tempDir } from "../helpers/runtime.js";

export const REPO_PACKS = fileURLToPath(new URL("../../../../packs", import.meta.url));
export const EXAMPLE_MODULES = fileURLToPath(new URL("../../../../examples/app/modules", import.meta.url));
export const MODULE_CAPS = ["cap.feature.notifications", "cap.feature.audit_log"];

/**
 * An app bundle in a temp dir: the packs expanded into it exactly as `mozaiks packs apply`
 * does, and an (unsigned, dev-mode) manifest granting `capabilities`.
 */
export function appBundle(capabilities: string[] = MODULE_CAPS, packs = ["notifications", "audit"]) {
  const { dir, cleanup } = tempDir("mozaiks-modules-");
  const catalog = loadCatalog(REPO_PACKS);
  const plan = planBuildOrThrow(catalog, { packs, host_policy: { host_mode: "oss" } });
  applyOverlay(plan, dir, { catalogRoot: catalog.root });
  writeManifest(dir, capabilities);
  return { dir, cleanup };
}

export function writeManifest(dir: string, capabilities: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "entitlement_manifest.json"),
    JSON.stringify({ app_id: APP_ID, metadata: { capabilities: ["cap.tool.basic", ...capabilities] } }),
  );
}

/** Copies a module folder of a bundle (to write a failing variant of it). */
export function copyModules(from: string, to: string): void {
  cpSync(from, join(to, "modules"), { recursive: true });
}

/** An in-process runtime hosting the bundle's modules, frozen clock, real SQLite file or memory. */
export async function moduleRuntime(
  appPath: string,
  opts: { host?: ModuleHostOptions; store?: Store; start?: boolean; logger?: Logger } = {},
): Promise<{ app: RuntimeApp; host: ModuleHost; clock: ReturnType<typeof frozenClock>; store: Store }> {
  const config = loadConfig({
    MOZAIKS_APP_ID: APP_ID,
    MOZAIKS_DB_PATH: ":memory:",
    MOZAIKS_INTERNAL_API_KEY: INTERNAL_KEY,
    MOZAIKS_AUTH_ISSUER: ISSUER,
    MOZAIKS_AUTH_AUDIENCE: AUDIENCE,
    MOZAIKS_AUTH_REQUIRED_SCOPE: SCOPE,
    MOZAIKS_LOG_LEVEL: "silent",
  });
  const clock = frozenClock(NOW);
  const store = opts.store ?? openStore(":memory:");
  const host = createModuleHost({ pollIntervalMs: 0, ...opts.host });
  const app = createRuntimeApp({
    config: { ...config, appPath },
    store,
    clock,
    logger: opts.logger ?? createLogger("silent"),
    keys: { user: { jwks: createLocalJWKSet(userJwks) }, entitlements: {} },
    modules: [host],
  });
  if (opts.start !== false) await app.runtime.start();
  return { app, host, clock, store };
}

/** POSTs `body` to a module action as the user of `token` (no token → anonymous). */
export function call(app: RuntimeApp, path: string, body: unknown, token?: string): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

export const tokenFor = (sub: string, extra: Record<string, unknown> = {}) =>
  signToken({ sub, preferred_username: sub, ...extra });
