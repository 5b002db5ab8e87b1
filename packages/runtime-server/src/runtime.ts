import { join } from "node:path";
import { AnomalyDetector } from "@mozaiks/entitlements-core";
import type { Logger } from "pino";
import { type Clock, systemClock } from "./clock.js";
import type { RuntimeConfig } from "./config.js";
import { AuditLog } from "./control/audit/audit-log.js";
import type { UserAuthKeys } from "./control/auth/keys.js";
import { TokenVerifier } from "./control/auth/verifier.js";
import { loadBundleCatalog, loadBundleManifest } from "./control/entitlements/bundle.js";
import { PlanCatalogHolder } from "./control/entitlements/catalog.js";
import type { EntitlementKeys } from "./control/entitlements/keys.js";
import { type PluginExecutor, PluginRegistry } from "./control/plugins/registry.js";
import { counterStoreFor } from "./control/usage/counters-store.js";
import { WatchedUsageLedger } from "./control/watch/ledger.js";
import { ControlSignals } from "./control/watch/signals.js";
import { WatchedEntitlementState } from "./control/watch/state.js";
import { loadBundleWebhooks } from "./control/webhooks/bundle.js";
import { DEFAULT_DELIVERY_POLICY } from "./control/webhooks/dispatcher.js";
import { WebhookService } from "./control/webhooks/service.js";
import { WorkflowService } from "./control/workflows/service.js";
import { loadPlugins, PluginRunner } from "./engine/plugins/index.js";
import type { RouteExtension } from "./http/app.js";
import { createLogger } from "./logger.js";
import { instrument } from "./observability/collectors.js";
import { listenMetrics, type MetricsServer } from "./observability/endpoint.js";
import { RuntimeMetrics } from "./observability/metrics.js";
import { timeSql } from "./observability/sql-timing.js";
import { createTracing, type Tracing, tracedExecutor } from "./observability/tracing.js";
import { Readiness } from "./readiness.js";
import type { RuntimeContext } from "./runtime-context.js";
import { InstanceRegistry } from "./store/instances.js";
import type { RuntimeStore } from "./store/open.js";

/** How often an instance looks for entitlement syncs accepted by another instance (ms). */
const STATE_POLL_MS = 250;

/** Injected services of `createRuntimeApp`. */
export interface RuntimeAppDeps {
  config: RuntimeConfig;
  store: RuntimeStore;
  keys: { user: UserAuthKeys; entitlements: EntitlementKeys };
  clock?: Clock;
  logger?: Logger;
  /** Plugin executor; defaults to the engine's isolated `PluginRunner` with the configured timeout. */
  pluginExecutor?: PluginExecutor;
  /** Route groups mounted after the built-in ones, behind nothing (add `mw.user` yourself), e.g. the pack module host. */
  routeExtensions?: RouteExtension[];
}

/** Lifecycle of a runtime app: load the bundle, then close everything on shutdown. */
export interface RuntimeHandle {
  ctx: RuntimeContext;
  /** Workflow definitions, launch key and run log (control side of workflow runs). */
  workflows: WorkflowService;
  /** URL of the separate metrics listener (`MOZAIKS_METRICS_PORT`) once started. */
  readonly metricsUrl: string | undefined;
  /** Request traces, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (flushed by `close()`). */
  readonly tracing: Tracing | undefined;
  /** Waits for what requests left running: signal listeners (webhook events) and deliveries due now. */
  settle(): Promise<void>;
  /** Loads (and verifies) the bundle's manifest + plan catalog and its plugins; then `/ready` is 200. */
  start(): Promise<void>;
  /** Flushes the audit buffer, stops plugin workers and closes the database. */
  close(): Promise<void>;
}

/**
 * The runtime without HTTP: builds the shared services (the context) from the injected ones
 * and owns their start/close lifecycle. The HTTP app (src/http/app.ts) serves on top of it.
 */
export function createRuntime(deps: RuntimeAppDeps): RuntimeHandle {
  const { config, store } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = new RuntimeMetrics();
  timeSql(store, metrics);
  const tracing = config.tracing
    ? createTracing({ ...config.tracing, appId: config.appId }, logger)
    : undefined;
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
        resolve: (userId) => state.resolve(userId),
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
    plugins: new PluginRegistry(tracedExecutor(executor, tracing)),
    catalog: new PlanCatalogHolder(),
    metrics,
    webhooks,
    readiness: new Readiness(),
  };
  webhooks.observe(signals, audit);
  instrument(metrics, { clock, store, audit, state, executor, webhooks, signals });
  const workflows = new WorkflowService(ctx);
  const routeExtensions = deps.routeExtensions ?? [];

  let closed = false;
  let metricsServer: MetricsServer | undefined;
  return {
    ctx,
    workflows,
    tracing,
    get metricsUrl() {
      return metricsServer?.url;
    },
    async settle() {
      await signals.settled();
      await webhooks.dispatcher.drain();
    },
    async start() {
      const verifyDeps = { keys: ctx.entitlementKeys, clock, logger, audit };
      await state.init((stored) => loadBundleManifest(config.appPath, config.appId, stored, verifyDeps));
      const catalog = loadBundleCatalog(config.appPath, config.appId, verifyDeps);
      await webhooks.start(loadBundleWebhooks(config.appPath, config.readEnv, clock.now().getTime()));
      if (config.metrics?.port !== undefined && !metricsServer) {
        metricsServer = await listenMetrics(metrics, {
          host: config.metrics.host,
          port: config.metrics.port,
        });
      }
      // Other instances on the same database may accept syncs: pick them up within a second.
      if (store.dialect === "postgres" || store.path !== ":memory:") state.startPolling(STATE_POLL_MS);
      ctx.catalog.load(catalog);
      if (config.appPath) {
        const { plugins, errors } = await loadPlugins(join(config.appPath, "plugins"));
        for (const e of errors) logger.warn({ plugin: e.name, reason: e.message }, "plugin skipped");
        ctx.plugins.set(plugins, errors);
      } else {
        ctx.plugins.set([], []);
      }
      await workflows.start(config.appPath);
      for (const ext of routeExtensions) await ext.start?.(ctx);
      ctx.readiness.markReady();
      logger.info(
        {
          plugins: ctx.plugins.size,
          workflows: workflows.size,
          plan_catalog: Boolean(ctx.catalog.current),
          source: (await state.resolve(undefined)).source,
        },
        "runtime ready",
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      ctx.readiness.markShuttingDown();
      await state.close();
      await audit.close();
      await executor.close();
      await workflows.close();
      for (const ext of routeExtensions) await ext.close?.();
      await metricsServer?.close();
      await tracing?.close();
      await signals.settled();
      await webhooks.close();
      await store.close();
    },
  };
}
