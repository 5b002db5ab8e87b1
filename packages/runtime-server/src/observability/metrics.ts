import { parseCapabilityId } from "@mozaiks/contracts";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Latency buckets (seconds) of HTTP requests: 1 ms to 10 s. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Latency buckets (seconds) of database calls: 0.1 ms to 1 s. */
const DB_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** Something read at scrape time (pool sizes, outbox depth, manifest expiry). */
export type Collector = () => void | Promise<void>;

/**
 * The runtime's Prometheus metrics, in a registry of its own (never prom-client's global one),
 * so several runtime apps in one process (tests) keep separate counts. Labels are bounded sets:
 * route patterns (never raw paths), capability types, limit ids of the manifest, statuses; never
 * a user id. Values that live elsewhere (the plugin pool, the outbox) are read by collectors
 * registered with {@link collect}, so the engine never imports this module.
 */
export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly #collectors: Collector[] = [];
  #defaults = false;

  readonly httpRequests = new Counter({
    name: "mozaiks_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: "mozaiks_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  readonly capabilityDecisions = new Counter({
    name: "mozaiks_capability_decisions_total",
    help: "Capability checks, by capability type (cap.<type>.*) and result (allowed, denied).",
    labelNames: ["type", "result"] as const,
    registers: [this.registry],
  });
  readonly limitHits = new Counter({
    name: "mozaiks_limit_hits_total",
    help: "Requests for units past a limit, by limit id, enforcement mode and outcome (refused, allowed).",
    labelNames: ["limit_id", "enforcement", "outcome"] as const,
    registers: [this.registry],
  });
  readonly ingestEvents = new Counter({
    name: "mozaiks_usage_ingest_events_total",
    help: "Usage events received by ingest, by result (accepted, duplicate).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly workflowRuns = new Counter({
    name: "mozaiks_workflow_runs_total",
    help: "Workflow runs, by status (started, then completed, failed or cancelled).",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: "mozaiks_webhook_deliveries_total",
    help: "Webhook delivery attempts, by event type and result (delivered, failed: retried, dead: gave up).",
    labelNames: ["event_type", "result"] as const,
    registers: [this.registry],
  });
  readonly webhookEvents = new Counter({
    name: "mozaiks_webhook_events_total",
    help: "Webhook messages put into the outbox, by event type.",
    labelNames: ["event_type"] as const,
    registers: [this.registry],
  });
  readonly dbDuration = new Histogram({
    name: "mozaiks_db_operation_duration_seconds",
    help: "Time of database calls through the store's SQL client, by operation (batch is one transaction).",
    labelNames: ["op"] as const,
    buckets: DB_BUCKETS,
    registers: [this.registry],
  });

  /** Gauges whose values collectors set at scrape time. */
  readonly gauges = {
    pluginWorkers: new Gauge({
      name: "mozaiks_plugin_pool_workers",
      help: "Plugin worker threads, by state (busy, idle).",
      labelNames: ["state"] as const,
      registers: [this.registry],
    }),
    pluginQueue: new Gauge({
      name: "mozaiks_plugin_queue_depth",
      help: "Plugin calls waiting for a free worker.",
      registers: [this.registry],
    }),
    manifestExpiry: new Gauge({
      name: "mozaiks_manifest_expiry_seconds",
      help: "Seconds until the app-level manifest in force expires (negative: expired); absent when it never expires.",
      labelNames: ["scope"] as const,
      registers: [this.registry],
    }),
    webhookPending: new Gauge({
      name: "mozaiks_webhook_outbox_pending",
      help: "Webhook messages waiting for a successful delivery.",
      registers: [this.registry],
    }),
    dbPool: new Gauge({
      name: "mozaiks_db_pool_connections",
      help: "PostgreSQL pool connections, by state (total, idle, waiting: callers queued for one).",
      labelNames: ["state"] as const,
      registers: [this.registry],
    }),
  };

  /** Totals kept by the plugin runner, copied at scrape time. */
  readonly pluginTotals = {
    timeouts: new Counter({
      name: "mozaiks_plugin_timeouts_total",
      help: "Plugin calls stopped at their time budget.",
      registers: [this.registry],
    }),
    crashes: new Counter({
      name: "mozaiks_plugin_crashes_total",
      help: "Plugin worker threads lost while running a call (exit, heap limit, crash).",
      registers: [this.registry],
    }),
    busy: new Counter({
      name: "mozaiks_plugin_busy_refusals_total",
      help: "Plugin calls refused as plugin_busy (no worker free, queue full or wait too long).",
      registers: [this.registry],
    }),
  };

  /** Registers a collector run before each scrape. */
  collect(fn: Collector): void {
    this.#collectors.push(fn);
  }

  /** The Prometheus text exposition of every metric, collectors run first. */
  async scrape(): Promise<string> {
    // Process metrics (CPU, memory, event-loop lag) start with the first scrape: a runtime
    // nobody scrapes pays nothing for them.
    if (!this.#defaults) {
      this.#defaults = true;
      collectDefaultMetrics({ register: this.registry, prefix: "mozaiks_" });
    }
    // A collector that fails (e.g. the database is closing) leaves its gauges as they were.
    for (const fn of this.#collectors)
      await Promise.resolve()
        .then(fn)
        .catch(() => undefined);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** `cap.<type>.<name>` → `<type>`; anything else `other` (keeps the label set bounded). */
export function capabilityType(id: string): string {
  return parseCapabilityId(id)?.type ?? "other";
}

/** Sets a counter to a total kept elsewhere (a monotonic count read at scrape time). */
export function setTotal(counter: Counter, total: number): void {
  counter.reset();
  if (total > 0) counter.inc(total);
}
