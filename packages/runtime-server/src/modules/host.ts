import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Hono } from "hono";
import type { RouteExtension } from "../app.js";
import type { RuntimeHonoEnv } from "../http/hono-env.js";
import type { RuntimeContext } from "../runtime-context.js";
import { type DeliveryPolicy, type DrainResult, ModuleEventBus } from "./bus.js";
import { systemActor } from "./context.js";
import { type ModuleDatabase, moduleDatabase } from "./database.js";
import {
  extensionLogger,
  type HostedRouter,
  loadExtensions,
  type RunningService,
  startServices,
  stopServices,
} from "./extensions.js";
import { type InvokeDeps, invokeAction, runInTransaction } from "./invoke.js";
import { type HostedModule, importHandler, loadAppModules } from "./load.js";
import { applyModuleMigrations, readMigrationFiles } from "./migrations.js";
import { moduleRoutes } from "./routes.js";
import type { ModuleHostState } from "./state.js";

/** Options of {@link createModuleHost}. */
export interface ModuleHostOptions {
  /** Folder of expanded modules; default `<appPath>/modules`. */
  modulesDir?: string;
  /** Retry policy of reaction deliveries. */
  delivery?: Partial<DeliveryPolicy>;
  /** Deliver reactions right after each commit (default true); false leaves it to drain() and polling. */
  autoDeliver?: boolean;
  /** How often due retries are picked up without a new event (ms, default 1000; 0 disables). */
  pollIntervalMs?: number;
  /** Loads a handler file (default: tsx for TypeScript, native import for JavaScript). */
  importModule?: (file: string) => Promise<Record<string, unknown>>;
  /** How long a startup service's construction and `start()` may take before the start fails (ms, default 10000). */
  extensionStartTimeoutMs?: number;
  /** How long a startup service's `stop()` may take before shutdown moves on (ms, default 5000). */
  extensionStopTimeoutMs?: number;
}

/** A route extension that hosts pack modules, with its lifecycle and the bus for tests/ops. */
export type ModuleHost = RouteExtension & {
  /** Hosted modules by id (empty before start). */
  readonly modules: ReadonlyMap<string, HostedModule>;
  /** Delivers every due reaction now; resolves when nothing is due. */
  drain(): Promise<DrainResult>;
};

/**
 * Hosts the modules of an app bundle (as expanded from capability packs) in the runtime, on
 * SQLite or PostgreSQL: at start it loads and checks their contracts, applies each module's SQL
 * migrations to the runtime database, and registers their reactions on an in-process bus with a transactional
 * outbox; it serves `/api/modules/:module/:action`. The modules' runtime extensions are hosted
 * too: startup services start last in `start()` and stop first in `close()`, API routers answer
 * under `/api/ext/<module_id><prefix>`. Pass it in `createRuntimeApp({ routeExtensions })`.
 *
 * @example
 * ```ts
 * const modules = createModuleHost();
 * const app = createRuntimeApp({ config, store, keys, routeExtensions: [modules] });
 * await app.runtime.start(); // loads modules, applies migrations
 * await modules.drain();     // deliver pending reactions now (tests)
 * ```
 */
export function createModuleHost(options: ModuleHostOptions = {}): ModuleHost {
  const modules = new Map<string, HostedModule>();
  const routers = new Map<string, HostedRouter[]>();
  const services: RunningService[] = [];
  let runtime: RuntimeContext | undefined;
  let db: ModuleDatabase | undefined;
  let timer: NodeJS.Timeout | undefined;
  const depsOf = (): InvokeDeps => {
    if (!runtime || !db || !state.bus) throw new Error("module host is not started");
    return { db, clock: runtime.clock, bus: state.bus };
  };
  const state: ModuleHostState = {
    modules,
    routers,
    bus: undefined,
    invoke: async (mod, action, input, actor) => invokeAction(depsOf(), mod, action, input, actor),
    transact: async (mod, actor, fn, what) => runInTransaction(depsOf(), mod, actor, fn, what),
  };
  const timeouts = {
    startTimeoutMs: options.extensionStartTimeoutMs ?? 10_000,
    stopTimeoutMs: options.extensionStopTimeoutMs ?? 5_000,
  };
  /** Starts the startup services (the start fails if one does) and logs what is hosted. */
  const startExtensions = async (
    ctx: RuntimeContext,
    extensions: Awaited<ReturnType<typeof loadExtensions>>,
  ): Promise<void> => {
    const actor = systemActor(ctx.config.appId);
    const started = await startServices(
      extensions.services,
      (svc, signal) => ({
        module_id: svc.module.id,
        app_id: ctx.config.appId,
        log: extensionLogger(ctx.logger.child({ module: svc.module.id, extension: svc.entrypoint })),
        now: () => ctx.clock.now(),
        newId: () => randomUUID(),
        transact: (fn) => state.transact(svc.module, actor, fn, `startup_service ${svc.entrypoint}`),
        signal,
      }),
      { ...timeouts, logger: ctx.logger },
    );
    services.push(...started);
    if (extensions.services.length + extensions.routers.length === 0) return;
    ctx.logger.info(
      {
        startup_services: extensions.services.map((s) => `${s.module.id}:${s.entrypoint}`),
        api_routers: extensions.routers.map((r) => `${r.mount} (${r.entrypoint})`),
      },
      "module runtime extensions hosted",
    );
  };

  const routes = (
    ctx: RuntimeContext,
    mw: { user: Parameters<RouteExtension>[1]["user"] },
  ): Hono<RuntimeHonoEnv> => {
    runtime = ctx;
    return moduleRoutes(ctx, state, mw.user);
  };

  return Object.assign(routes, {
    modules,
    async start(ctx: RuntimeContext) {
      runtime = ctx;
      const dir =
        options.modulesDir ?? (ctx.config.appPath ? join(ctx.config.appPath, "modules") : undefined);
      const importModule = options.importModule ?? importHandler;
      const loaded = dir ? await loadAppModules(dir, importModule) : [];
      // Extensions are imported and checked before any migration runs, like the handlers.
      const extensions = await loadExtensions(loaded, importModule);
      modules.clear();
      routers.clear();
      if (loaded.length === 0) return;
      db = moduleDatabase(ctx.store);
      for (const mod of loaded) {
        const files = readMigrationFiles(mod.migrationsDir, db.dialect);
        const applied = await applyModuleMigrations(db, mod.id, files, ctx.clock.now());
        if (applied.length > 0) ctx.logger.info({ module: mod.id, applied }, "module migrations applied");
      }
      const bus = new ModuleEventBus({
        db,
        clock: ctx.clock,
        logger: ctx.logger,
        appId: ctx.config.appId,
        ...(options.delivery ? { policy: options.delivery } : {}),
        ...(options.autoDeliver !== undefined ? { autoDeliver: options.autoDeliver } : {}),
      });
      bus.register(loaded);
      state.bus = bus;
      for (const mod of loaded) modules.set(mod.id, mod);
      for (const r of extensions.routers) routers.set(r.module.id, [...(routers.get(r.module.id) ?? []), r]);
      ctx.logger.info({ modules: [...modules.keys()] }, "modules hosted");
      // Deliveries left pending by a previous process (crash, restart) resume here.
      bus.poll();
      const poll = options.pollIntervalMs ?? 1_000;
      if (poll > 0) {
        timer = setInterval(() => bus.poll(), poll);
        timer.unref();
      }
      await startExtensions(ctx, extensions);
    },
    async close() {
      // Services stop first, while the bus and the database still take their writes.
      if (runtime) await stopServices(services, { ...timeouts, logger: runtime.logger });
      if (timer) clearInterval(timer);
      await state.bus?.stop();
    },
    drain(): Promise<DrainResult> {
      if (!state.bus) return Promise.resolve({ delivered: 0, failed: 0, dead: 0 });
      return state.bus.drain();
    },
  });
}
