import { extensionEntrypointFile } from "@mozaiks/capability-packs";
import type {
  ApiRouter,
  ExtensionLogger,
  ModuleExtensionContext,
  RuntimeExtension,
  StartupService,
} from "@mozaiks/contracts";
import type { Logger } from "pino";
import { ModuleLoadError } from "./errors.js";
import type { HostedModule } from "./load.js";

// Runtime extensions (`runtime_extensions.yaml`) of hosted modules: startup services that start
// and stop with the runtime, and API routers served under `/api/ext/<module_id><prefix>`.

/** Where API routers are mounted: `/api/ext/<module_id><prefix>`, so no pack can shadow a runtime route. */
export const EXTENSION_ROUTE_BASE = "/api/ext";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const PATH = /^(\/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*\/?$/;

export type RouteHandler = ApiRouter[string];

/** A loaded `api_router`. */
export interface HostedRouter {
  module: HostedModule;
  entrypoint: string;
  /** Normalized prefix (`/export`; `/` for the module root). */
  prefix: string;
  /** The path it answers under: `/api/ext/<module_id><prefix>`. */
  mount: string;
  /** Handlers by `"<METHOD> <path below the prefix>"`. */
  routes: Map<string, RouteHandler>;
}

/** A loaded `startup_service`, not started yet. */
export interface HostedService {
  module: HostedModule;
  entrypoint: string;
  create(ctx: ModuleExtensionContext): StartupService | Promise<StartupService>;
}

/** A started service with the controller aborted when it stops. */
export interface RunningService {
  hosted: HostedService;
  instance: StartupService;
  abort: AbortController;
}

/** `/a/b/` → `/a/b`; the root stays `/`. */
export function normalizePath(p: string): string {
  return p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
}

const isClass = (fn: unknown): boolean =>
  typeof fn === "function" && /^class[\s{]/.test(Function.prototype.toString.call(fn));

/** Prefixes overlap when one is the other or a parent of it (`/` overlaps everything). */
const overlaps = (a: string, b: string) =>
  a === b || a === "/" || b === "/" || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

function routerRoutes(value: unknown, where: string, problems: string[]): Map<string, RouteHandler> {
  const routes = new Map<string, RouteHandler>();
  const before = problems.length;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`${where} must be an object of routes keyed "<METHOD> <path>", got ${typeof value}`);
    return routes;
  }
  for (const [key, handler] of Object.entries(value)) {
    const [method, path, ...rest] = key.split(" ");
    if (
      !(METHODS as readonly string[]).includes(method ?? "") ||
      !path ||
      rest.length > 0 ||
      !PATH.test(path)
    ) {
      problems.push(`${where}: route "${key}" must look like "<${METHODS.join("|")}> /path"`);
      continue;
    }
    if (typeof handler !== "function") {
      problems.push(`${where}: route "${key}" is not a function`);
      continue;
    }
    const norm = `${method} ${normalizePath(path)}`;
    if (routes.has(norm)) problems.push(`${where}: route "${key}" is declared twice`);
    routes.set(norm, handler as RouteHandler);
  }
  if (routes.size === 0 && problems.length === before) problems.push(`${where} declares no route`);
  return routes;
}

/**
 * Imports the runtime extensions of the hosted modules and checks their shape: a
 * `startup_service` attribute is a class or factory, an `api_router` attribute an object of
 * `"<METHOD> <path>"` handlers, and the prefixes of one module do not overlap. Any problem fails
 * the start, like a missing action handler: a declared extension is never silently skipped.
 */
export async function loadExtensions(
  modules: HostedModule[],
  importModule: (file: string) => Promise<Record<string, unknown>>,
): Promise<{ services: HostedService[]; routers: HostedRouter[] }> {
  const problems: string[] = [];
  const services: HostedService[] = [];
  const routers: HostedRouter[] = [];
  for (const mod of modules) {
    const declared: RuntimeExtension[] = mod.contract.runtimeExtensions?.extensions ?? [];
    for (const ext of declared) {
      const where = `module ${mod.id}: ${ext.kind} ${ext.entrypoint}`;
      const file = extensionEntrypointFile(mod.contract.dir, ext.entrypoint);
      if (!file) {
        problems.push(`${where}: no file for the entrypoint`);
        continue;
      }
      let exports: Record<string, unknown>;
      try {
        exports = await importModule(file);
      } catch (err) {
        problems.push(`${where}: cannot import it: ${(err as Error).message}`);
        continue;
      }
      const attr = ext.entrypoint.split(":")[1] ?? "";
      const value = exports[attr];
      if (value === undefined) {
        problems.push(`${where}: the file does not export ${attr}`);
        continue;
      }
      if (ext.kind === "startup_service") {
        if (typeof value !== "function") {
          problems.push(`${where}: ${attr} must be a class or a factory function, got ${typeof value}`);
          continue;
        }
        const fn = value as (ctx: ModuleExtensionContext) => StartupService;
        const ctor = value as new (ctx: ModuleExtensionContext) => StartupService;
        services.push({
          module: mod,
          entrypoint: ext.entrypoint,
          create: isClass(value) ? (ctx) => new ctor(ctx) : (ctx) => fn(ctx),
        });
        continue;
      }
      const prefix = normalizePath(ext.prefix ?? "/");
      if (!PATH.test(prefix)) {
        problems.push(`${where}: prefix ${ext.prefix} must be /segment[/segment…] of [A-Za-z0-9_.~-]`);
        continue;
      }
      const clash = routers.find((r) => r.module === mod && overlaps(r.prefix, prefix));
      if (clash) {
        problems.push(`${where}: prefix ${prefix} overlaps ${clash.prefix} of ${clash.entrypoint}`);
        continue;
      }
      const routes = routerRoutes(value, `${where}: ${attr}`, problems);
      const base = `${EXTENSION_ROUTE_BASE}/${mod.id}`;
      routers.push({
        module: mod,
        entrypoint: ext.entrypoint,
        prefix,
        mount: prefix === "/" ? base : base + prefix,
        routes,
      });
    }
  }
  if (problems.length > 0) throw new ModuleLoadError(problems);
  return { services, routers };
}

/** The runtime's pino logger as an {@link ExtensionLogger}. */
export function extensionLogger(logger: Logger): ExtensionLogger {
  return {
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}

/** Resolves `work` or rejects after `ms` with `what timed out`; the timer never outlives it. */
async function within<T>(work: () => T | Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the services in order. The rule: a service that throws, rejects or does not finish
 * `start()` within `timeoutMs` fails the runtime's start with a {@link ModuleLoadError} naming
 * the module and entrypoint; the services started before it are stopped first.
 */
export async function startServices(
  services: HostedService[],
  contextFor: (svc: HostedService, signal: AbortSignal) => ModuleExtensionContext,
  opts: { startTimeoutMs: number; stopTimeoutMs: number; logger: Logger },
): Promise<RunningService[]> {
  const running: RunningService[] = [];
  for (const hosted of services) {
    const abort = new AbortController();
    const what = `module ${hosted.module.id}: startup_service ${hosted.entrypoint}`;
    try {
      const instance = await within(
        () => hosted.create(contextFor(hosted, abort.signal)),
        opts.startTimeoutMs,
        what,
      );
      if (typeof instance?.start !== "function") {
        throw new Error("the class or factory must give an object with a start() method");
      }
      await within(() => instance.start(), opts.startTimeoutMs, `${what} start()`);
      running.push({ hosted, instance, abort });
    } catch (err) {
      abort.abort();
      await stopServices(running, opts);
      throw new ModuleLoadError([`${what} failed to start: ${(err as Error).message}`], { cause: err });
    }
  }
  return running;
}

/**
 * Stops the services in reverse start order: aborts each one's signal, then awaits `stop()` up
 * to `stopTimeoutMs`. A failing or hanging stop is logged and the next service still stops.
 */
export async function stopServices(
  running: RunningService[],
  opts: { stopTimeoutMs: number; logger: Logger },
): Promise<void> {
  for (const svc of running.splice(0).reverse()) {
    const what = `module ${svc.hosted.module.id}: startup_service ${svc.hosted.entrypoint} stop()`;
    svc.abort.abort();
    try {
      if (typeof svc.instance.stop === "function") {
        const instance = svc.instance;
        await within(() => instance.stop?.(), opts.stopTimeoutMs, what);
      }
    } catch (err) {
      opts.logger.warn(
        { module: svc.hosted.module.id, entrypoint: svc.hosted.entrypoint, err: (err as Error).message },
        "startup service failed to stop",
      );
    }
  }
}
