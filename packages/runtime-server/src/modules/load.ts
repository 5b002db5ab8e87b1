import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  formatPackIssue,
  type LoadedModule,
  loadModule,
  lockedIncompatibilities,
  readPacksLock,
  validateEventFlows,
} from "@mozaiks/capability-packs";
import { type ModuleAction, RUNTIME_CONTRACT_VERSION } from "@mozaiks/contracts";
import { z } from "zod";
import { ModuleLoadError } from "./errors.js";

/** A function exported by a module's handler: `(input | event, context) => result`. */
export type ModuleFunction = (input: unknown, context: unknown) => unknown;

/** A module ready to serve: its contracts, handler functions and compiled input validators. */
export interface HostedModule {
  id: string;
  contract: LoadedModule;
  capability: string;
  actions: Map<string, { action: ModuleAction; fn: ModuleFunction; input: z.ZodType }>;
  /** Reaction handler functions by method name. */
  reactionHandlers: Map<string, ModuleFunction>;
  emits: ReadonlySet<string>;
  migrationsDir: string;
}

/** Imports a handler file: TypeScript through tsx (pack backends ship as .ts), JavaScript natively. */
export async function importHandler(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (/\.[cm]?ts$/.test(file)) {
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

/**
 * Loads every module of an app bundle's `modules/` folder (as expanded from packs): validates
 * the contracts with @mozaiks/capability-packs, checks the event flows between the modules
 * (no dangling reaction, no cycle), refuses a module whose pack (per the workspace's
 * mozaiks-packs.lock.json) excludes this runtime's contract version, imports each handler and
 * checks it exports every action and reaction method. Any problem fails the whole load: hosting
 * half an event graph would silently drop reactions.
 */
export async function loadAppModules(
  modulesDir: string,
  importModule: (file: string) => Promise<Record<string, unknown>> = importHandler,
): Promise<HostedModule[]> {
  if (!existsSync(modulesDir)) return [];
  const problems: string[] = [];
  const contracts: LoadedModule[] = [];
  const dirs = readdirSync(modulesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(modulesDir, e.name, "module.yaml")))
    .map((e) => e.name)
    .sort();
  for (const name of dirs) {
    // The exports are checked below on the imported handler, not by parsing.
    const r = loadModule(join(modulesDir, name), undefined, modulesDir, { inspectExports: false });
    problems.push(...r.issues.map(formatPackIssue));
    if (r.module) contracts.push(r.module);
  }
  const flows = validateEventFlows(contracts);
  problems.push(...flows.issues.map(formatPackIssue));
  // The app workspace is the modules folder's parent; a hand-assembled bundle has no lock.
  const lock = readPacksLock(dirname(modulesDir));
  problems.push(...lock.issues.map(formatPackIssue));
  if (lock.lock) {
    const ids = contracts.map((c) => c.module_id);
    problems.push(...lockedIncompatibilities(lock.lock, ids, RUNTIME_CONTRACT_VERSION));
  }
  if (problems.length > 0) throw new ModuleLoadError(problems);

  const hosted: HostedModule[] = [];
  for (const contract of contracts) {
    const m = contract.manifest;
    const file = join(contract.dir, m.entrypoint);
    let exports: Record<string, unknown>;
    try {
      exports = await importModule(file);
    } catch (err) {
      problems.push(`${contract.files.module}: cannot import ${m.entrypoint}: ${(err as Error).message}`);
      continue;
    }
    const fnOf = (name: string, what: string): ModuleFunction | undefined => {
      const fn = exports[name];
      if (typeof fn === "function") return fn as ModuleFunction;
      problems.push(`${contract.files.module}: ${m.entrypoint} does not export ${what} ${name}()`);
      return undefined;
    };
    const actions: HostedModule["actions"] = new Map();
    for (const action of m.actions) {
      const fn = fnOf(action.handler_method ?? action.name, `action`);
      let input: z.ZodType;
      try {
        input = z.fromJSONSchema(action.input as Parameters<typeof z.fromJSONSchema>[0]);
      } catch (err) {
        problems.push(
          `${contract.files.module}: action ${action.name} input is not a usable JSON Schema: ${(err as Error).message}`,
        );
        continue;
      }
      if (fn) actions.set(action.name, { action, fn, input });
    }
    const reactionHandlers = new Map<string, ModuleFunction>();
    for (const r of contract.reactions.reactions) {
      const fn = fnOf(r.target.handler_method, "reaction handler");
      if (fn) reactionHandlers.set(r.target.handler_method, fn);
    }
    hosted.push({
      id: m.module_id,
      contract,
      capability: m.capability,
      actions,
      reactionHandlers,
      emits: new Set(m.emits),
      migrationsDir: join(contract.dir, m.migrations),
    });
  }
  if (problems.length > 0) throw new ModuleLoadError(problems);
  return hosted;
}
