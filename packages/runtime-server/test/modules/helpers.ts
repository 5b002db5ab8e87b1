import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { applyOverlay, loadCatalog, planBuildOrThrow } from "@mozaiks/capability-packs";
import { tempDir } from "@mozaiks/test-utils";
import type { RuntimeApp } from "../../src/app.js";
import type { ModuleHostOptions } from "../../src/modules/index.js";
import type { RuntimeStore } from "../../src/store/open.js";
import type { Driver } from "../helpers/drivers.js";
import { APP_ID, signToken } from "../helpers/keys.js";
import { buildTestRuntime, type TestRuntimeOptions } from "../helpers/runtime.js";

export const REPO_PACKS = fileURLToPath(new URL("../../../../packs", import.meta.url));
export const EXAMPLE_MODULES = fileURLToPath(new URL("../../../../examples/app/modules", import.meta.url));
export const MODULE_CAPS = ["cap.feature.notifications", "cap.feature.audit_log"];

/**
 * An app bundle in a temp dir: the packs expanded into it exactly as `mozaiks packs apply`
 * does, and an (unsigned, dev-mode) manifest granting `capabilities`.
 */
export function appBundle(capabilities: string[] = MODULE_CAPS, packs = ["notifications", "audit"]): string {
  const dir = tempDir("mozaiks-modules-");
  const catalog = loadCatalog(REPO_PACKS);
  const plan = planBuildOrThrow(catalog, { packs, host_policy: { host_mode: "oss" } });
  applyOverlay(plan, dir, { catalogRoot: catalog.root });
  writeManifest(dir, capabilities);
  return dir;
}

export function writeManifest(dir: string, capabilities: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "entitlement_manifest.json"),
    JSON.stringify({ app_id: APP_ID, metadata: { capabilities: ["cap.tool.basic", ...capabilities] } }),
  );
}

/** One JavaScript module for {@link writeModule}. */
export interface ModuleFixture {
  capability: string;
  /** Default `backend/handler.js`. */
  entrypoint?: string;
  /** module.yaml lines after the required fields (actions, emits, reaction_handlers, …). */
  yaml?: string[];
  /** The module's other files by path inside its folder (backend, migrations, contracts). */
  files: Record<string, string>;
}

/** Writes the module `id` into the bundle `appDir` (`modules/<id>`, a generated module). */
export function writeModule(appDir: string, id: string, m: ModuleFixture): void {
  const yaml = [
    "schema_version: mozaiks.module.v1",
    `module_id: ${id}`,
    "ownership: generated_module",
    `capability: ${m.capability}`,
    `entrypoint: ${m.entrypoint ?? "backend/handler.js"}`,
    ...(m.yaml ?? []),
    "",
  ];
  for (const [file, text] of Object.entries({ "module.yaml": yaml.join("\n"), ...m.files })) {
    const at = join(appDir, "modules", id, file);
    mkdirSync(dirname(at), { recursive: true });
    writeFileSync(at, text);
  }
}

/** Copies a module folder of a bundle (to write a failing variant of it). */
export function copyModules(from: string, to: string): void {
  cpSync(from, join(to, "modules"), { recursive: true });
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

/**
 * A runtime hosting the modules of `appPath` on a private database of `driver` (or on `store`,
 * e.g. a reopened file or PostgreSQL database), with the module host's options.
 */
export async function moduleRuntime(
  driver: Driver,
  appPath: string,
  modules: ModuleHostOptions = {},
  opts: Omit<TestRuntimeOptions, "appPath" | "driver" | "modules"> = {},
) {
  const rt = await buildTestRuntime({ ...opts, appPath, driver, modules });
  if (!rt.host) throw new Error("built without a module host");
  return { ...rt, host: rt.host };
}

/** `SELECT COUNT(*) AS n …` on either engine, as a number. */
export async function count(store: RuntimeStore, sql: string, params: unknown[] = []): Promise<number> {
  return (await store.sql.get<{ n: number }>(sql, params))?.n ?? Number.NaN;
}
