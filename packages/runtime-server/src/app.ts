import { join } from "node:path";
import { RUNTIME_CONTRACT_VERSION, RUNTIME_VERSION_HEADER } from "@mozaiks/contracts";
import { AnomalyDetector } from "@mozaiks/entitlements-core";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { Logger } from "pino";
import { adminRoutes, adminSources } from "./admin/index.js";
import { type Clock, systemClock } from "./clock.js";
import type { RuntimeConfig } from "./config.js";
import { userOrInternal } from "./control/app-api/index.js";
import { AuditLog } from "./control/audit/audit-log.js";
import type { UserAuthKeys } from "./control/auth/keys.js";
import { requireInternalKey, requireUser } from "./control/auth/middleware.js";
import { TokenVerifier } from "./control/auth/verifier.js";
import { loadBundleEntitlements } from "./control/entitlements/bundle.js";
import type { EntitlementKeys } from "./control/entitlements/keys.js";
import { type PluginExecutor, PluginRegistry } from "./control/plugins.js";
import { healthRoutes } from "./control/routes/health.js";
import { counterStoreFor } from "./control/usage/counters-store.js";
import { WatchedUsageLedger } from "./control/watch/ledger.js";
import { ControlSignals } from "./control/watch/signals.js";
import { WatchedEntitlementState } from "./control/watch/state.js";
import { loadBundleWebhooks } from "./control/webhooks/bundle.js";
import { DEFAULT_DELIVERY_POLICY } from "./control/webhooks/dispatcher.js";
import { WebhookService } from "./control/webhooks/service.js";
import { WorkflowService } from "./control/workflows/service.js";
import { loadPlugins, PluginRunner } from "./engine/plugins/index.js";
import { onError, RuntimeError } from "./errors.js";
import { type Access, behind } from "./http/access.js";
import type { RuntimeHonoEnv } from "./http/hono-env.js";
import { jsonBodyLimits } from "./http/json-limits.js";
import { API_ROUTES } from "./http/routes.js";
import { createLogger } from "./logger.js";
import { instrument } from "./observability/collectors.js";
import { listenMetrics, type MetricsServer, metricsRoutes } from "./observability/endpoint.js";
import { markUnmatched, requestMetrics } from "./observability/http.js";
import { RuntimeMetrics } from "./observability/metrics.js";
import { timeSql } from "./observability/sql-timing.js";
import { openApiRoutes } from "./openapi/http.js";
import type { RuntimeContext } from "./runtime-context.js";
import { InstanceRegistry } from "./store/instances.js";
import type { RuntimeStore } from "./store/open.js";

/**
 * Route groups added on top of the built-in ones (e.g. pack modules). Optional `start`/`close`
 * run inside `runtime.start()` (before `/ready` turns 200) and `runtime.close()`.
 */
export type RouteModule = ((
  ctx: RuntimeContext,
  mw: { user: ReturnType<typeof requireUser> },
) => Hono<RuntimeHonoEnv>) & {
  start?(ctx: RuntimeContext): Promise<void>;
  close?(): Promise<void>;
};

/** How often an instance looks for entitlement syncs accepted by another instance (ms). */
const STATE_POLL_MS = 250;

/** Injected services of {@link createRuntimeApp}. */
export interface RuntimeAppDeps {
  config: RuntimeConfig;
  store: RuntimeStore;
  keys: { user: UserAuthKeys; entitlements: EntitlementKeys };
  clock?: Clock;
  logger?: Logger;
  /** Plugin executor; defaults to the engine's isolated `PluginRunner` with the configured timeout. */
  pluginExecutor?: PluginExecutor;
  /** Extra route modules mounted after the built-in routes, behind nothing (add `mw.user` yourself). */
  modules?: RouteModule[];
}

/** Lifecycle of a runtime app: load the bundle, then close everything on shutdown. */
export interface RuntimeHandle {
  ctx: RuntimeContext;
  /** Workflow definitions, launch key and run log (control side of workflow runs). */
  workflows: WorkflowService;
  /** URL of the separate metrics listener (`MOZAIKS_METRICS_PORT`) once started. */
  readonly metricsUrl: string | undefined;
  /** Waits for what requests left running: signal listeners (webhook events) and deliveries due now. */
  settle(): Promise<void>;
  /** Loads (and verifies) the bundle's manifest + plan catalog and its plugins; then `/ready` is 200. */
  start(): Promise<void>;
  /** Flushes the audit buffer, stops plugin workers and closes the database. */
  close(): Promise<void>;
}

/** The typed hono app with its lifecycle handle. */
export type RuntimeApp = Hono<RuntimeHonoEnv> & { runtime: RuntimeHandle };

/**
 * Builds the runtime's hono app from injected services (config, store, keys, clock, logger),
 * so tests run it in-process with `app.request()`. Every response carries
 * `X-Mozaiks-Runtime-Version` and `X-Request-Id`; bodies over `maxBodyBytes` are 413.
 *
 * @example
 * ```ts
 * const app = createRuntimeApp({ config, store: openStore(":memory:"), keys: { user: { hs256Secret }, entitlements: {} } });
 * await app.runtime.start();
 * const res = await app.request("/health");
 * ```
 */
export function createRuntimeApp(deps: RuntimeAppDeps): RuntimeApp {
  const { config, store } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = new RuntimeMetrics();
  timeSql(store, metrics);
  const signals = new ControlSignals(logger);
  const audit = new AuditLog({ store, clock, appId: config.appId, logger });
  const state = new WatchedEntitlementState({ store, clock, appId: config.appId, logger, audit }, signals);
  const webhooks = new WebhookService({
    store,
    clock,
    logger,
    appId: config.appId,
    state,
    policy: config.webhooks ?? DEFAULT_DELIVERY_POLICY,
    pollMs: config.webhooks?.pollMs ?? 1_000,
    onDelivery: (type, result) => metrics.webhookDeliveries.inc({ event_type: type, result }),
    onEnqueued: (type, n) => metrics.webhookEvents.inc({ event_type: type }, n),
  });
  const executor =
    deps.pluginExecutor ?? new PluginRunner({ timeoutMs: config.pluginTimeoutMs, ...config.pluginPool });
  // Runs and token holds carry this id, so only instances that stopped beating are settled.
  const instance = new InstanceRegistry(store, clock, crypto.randomUUID());
  const ctx: RuntimeContext = {
    config,
    clock,
    logger,
    store,
    audit,
    instance,
    anomalies: new AnomalyDetector({ now: () => clock.now().getTime() }),
    state,
    ledger: new WatchedUsageLedger(
      {
        counters: counterStoreFor(store, instance.id),
        clock,
        appId: config.appId,
        logger,
        resolve: (userId) => ctx.state.resolve(userId),
      },
      signals,
    ),
    verifier: new TokenVerifier({
      keys: deps.keys.user,
      clock,
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      cacheSize: config.auth.tokenCacheSize,
    }),
    entitlementKeys: deps.keys.entitlements,
    plugins: new PluginRegistry(executor),
    catalog: undefined,
    metrics,
    webhooks,
    notReadyReason: "starting: entitlements and plugins not loaded yet",
  };
  webhooks.observe(signals, audit);
  instrument(metrics, { clock, store, audit, state, executor, webhooks, signals });

  const workflows = new WorkflowService(ctx);
  const user = requireUser({
    verifier: ctx.verifier,
    appId: config.appId,
    requiredScope: config.auth.requiredScope,
    audit,
  });
  const internal = requireInternalKey(config.internalApiKey);

  const app = new Hono<RuntimeHonoEnv>();
  app.use(requestMetrics(metrics));
  app.use(requestId({ generator: () => crypto.randomUUID() }));
  app.use(async (c, next) => {
    const log = logger.child({ request_id: c.var.requestId });
    c.set("log", log);
    const started = performance.now();
    // Set before the handler so the header is part of the response as it is created; adding it
    // afterwards copies the response's headers. Responses built outside the context get it after.
    c.header(RUNTIME_VERSION_HEADER, RUNTIME_CONTRACT_VERSION);
    await next();
    if (!c.res.headers.has(RUNTIME_VERSION_HEADER))
      c.header(RUNTIME_VERSION_HEADER, RUNTIME_CONTRACT_VERSION);
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: +(performance.now() - started).toFixed(2),
      },
      "request",
    );
  });
  app.use(
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: () => {
        throw new RuntimeError("payload_too_large", `request body exceeds ${config.maxBodyBytes} bytes`, {
          max_bytes: config.maxBodyBytes,
        });
      },
    }),
  );
  app.use(jsonBodyLimits(config.jsonLimits));
  // Nothing under /api is served before the bundle is loaded: answering from defaults would fail open.
  app.use("/api/*", async (_c, next) => {
    if (ctx.notReadyReason !== undefined) throw new RuntimeError("not_ready", ctx.notReadyReason);
    await next();
  });
  // Each API route group is mounted behind the guard its file declares (see http/routes.ts).
  const guards: Record<Access, MiddlewareHandler<RuntimeHonoEnv>> = {
    user,
    internal,
    "user-or-internal": userOrInternal(user, internal) as unknown as MiddlewareHandler<RuntimeHonoEnv>,
  };
  for (const access of Object.keys(guards) as Access[]) {
    const groups = API_ROUTES.filter((g) => g.access === access).map((g) => g.build({ ctx, workflows }));
    app.route("/", behind(guards[access], groups));
  }
  app.route("/", healthRoutes(ctx));
  app.route("/", behind(internal, [metricsRoutes(metrics)]));
  app.route("/", openApiRoutes());
  for (const mod of deps.modules ?? []) app.route("/", mod(ctx, { user }));
  if (!config.admin?.disabled) {
    const { internalApiKey } = config;
    app.route("/", adminRoutes(ctx, adminSources(app, { workflows, modules: deps.modules, internalApiKey })));
  }

  app.notFound((c) => {
    markUnmatched(c);
    c.header(RUNTIME_VERSION_HEADER, RUNTIME_CONTRACT_VERSION);
    return c.json(
      { error: "not_found", message: `No route ${c.req.method} ${c.req.path}`, request_id: c.var.requestId },
      404,
    );
  });
  app.onError(onError);

  let closed = false;
  let metricsServer: MetricsServer | undefined;
  const runtime: RuntimeHandle = {
    ctx,
    workflows,
    get metricsUrl() {
      return metricsServer?.url;
    },
    async settle() {
      await signals.settled();
      await webhooks.dispatcher.drain();
    },
    async start() {
      const verifyDeps = { keys: ctx.entitlementKeys, clock, logger, audit };
      const bundle = loadBundleEntitlements(config.appPath, config.appId, verifyDeps);
      await ctx.state.init(bundle.manifest);
      await webhooks.start(loadBundleWebhooks(config.appPath, config.readEnv, clock.now().getTime()));
      if (config.metrics?.port !== undefined && !metricsServer) {
        metricsServer = await listenMetrics(metrics, {
          host: config.metrics.host,
          port: config.metrics.port,
        });
      }
      // Other instances on the same database may accept syncs: pick them up within a second.
      if (store.dialect === "postgres" || store.path !== ":memory:") ctx.state.startPolling(STATE_POLL_MS);
      ctx.catalog = bundle.catalog;
      if (config.appPath) {
        const { plugins, errors } = await loadPlugins(join(config.appPath, "plugins"));
        for (const e of errors) logger.warn({ plugin: e.name, reason: e.message }, "plugin skipped");
        ctx.plugins.set(plugins, errors);
      } else {
        ctx.plugins.set([], []);
      }
      await workflows.start(config.appPath);
      for (const mod of deps.modules ?? []) await mod.start?.(ctx);
      ctx.notReadyReason = undefined;
      logger.info(
        {
          plugins: ctx.plugins.size,
          workflows: workflows.size,
          plan_catalog: Boolean(ctx.catalog),
          source: (await ctx.state.resolve(undefined)).source,
        },
        "runtime ready",
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      ctx.notReadyReason = "shutting down";
      await ctx.state.close();
      await audit.close();
      await executor.close();
      await workflows.close();
      for (const mod of deps.modules ?? []) await mod.close?.();
      await metricsServer?.close();
      await signals.settled();
      await webhooks.close();
      await store.close();
    },
  };
  return Object.assign(app, { runtime });
}
