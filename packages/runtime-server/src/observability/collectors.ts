import type { Clock } from "../clock.js";
import type { AuditLog } from "../control/audit/audit-log.js";
import type { EntitlementState } from "../control/entitlements/state.js";
import type { PluginExecutor } from "../control/plugins/registry.js";
import type { ControlSignals } from "../control/watch/signals.js";
import type { WebhookService } from "../control/webhooks/service.js";
import type { RuntimeStore } from "../store/open.js";
import { capabilityType, type RuntimeMetrics, setTotal } from "./metrics.js";

/** What the runtime's metrics read from. */
export interface InstrumentedServices {
  clock: Clock;
  store: RuntimeStore;
  audit: AuditLog;
  state: EntitlementState;
  executor: PluginExecutor;
  webhooks: WebhookService;
  signals: ControlSignals;
}

/**
 * Feeds the metrics: counters from audit records and control signals as they happen, gauges
 * from collectors at scrape time (the plugin pool's own stats, the outbox, manifest expiry, the
 * PostgreSQL pool), so none of those services imports anything of this folder.
 */
export function instrument(metrics: RuntimeMetrics, s: InstrumentedServices): void {
  s.audit.listen((rec) => {
    if (rec.eventType === "capability_check" && (rec.result === "allowed" || rec.result === "denied")) {
      metrics.capabilityDecisions.inc({ type: capabilityType(rec.subject ?? ""), result: rec.result });
    }
  });
  s.signals.on("limitHit", (e) => {
    metrics.limitHits.inc({ limit_id: e.limitId, enforcement: e.enforcement, outcome: e.outcome });
  });
  s.signals.on("ingested", (r) => {
    if (r.accepted > 0) metrics.ingestEvents.inc({ result: "accepted" }, r.accepted);
    if (r.duplicates > 0) metrics.ingestEvents.inc({ result: "duplicate" }, r.duplicates);
  });

  metrics.collect(() => {
    const stats = s.executor.stats;
    if (!stats) return;
    metrics.gauges.pluginWorkers.set({ state: "busy" }, stats.running);
    metrics.gauges.pluginWorkers.set({ state: "idle" }, stats.idle);
    metrics.gauges.pluginQueue.set(stats.queued);
    setTotal(metrics.pluginTotals.timeouts, stats.timeouts);
    setTotal(metrics.pluginTotals.crashes, stats.crashes);
    setTotal(metrics.pluginTotals.busy, stats.busy);
  });
  metrics.collect(() => {
    const expires = s.state.appManifest?.expires_at;
    const at = expires ? Date.parse(expires) : Number.NaN;
    metrics.gauges.manifestExpiry.reset();
    if (Number.isFinite(at))
      metrics.gauges.manifestExpiry.set({ scope: "app" }, (at - s.clock.now().getTime()) / 1000);
  });
  metrics.collect(async () => {
    metrics.gauges.webhookPending.set(await s.webhooks.store.pending());
  });
  const { store } = s;
  if (store.dialect === "postgres") {
    metrics.collect(() => {
      metrics.gauges.dbPool.set({ state: "total" }, store.pool.totalCount);
      metrics.gauges.dbPool.set({ state: "idle" }, store.pool.idleCount);
      metrics.gauges.dbPool.set({ state: "waiting" }, store.pool.waitingCount);
    });
  }
}
