import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// The SQLite dialect of the runtime's tables; `schema-pg.ts` is its PostgreSQL twin (same table
// and column names, so the SQL in src/store/sql.ts consumers runs on both).

/** Persisted manifests: one app-level row and one row per user with a user-scoped manifest. */
export const entitlements = sqliteTable(
  "entitlements",
  {
    scope: text("scope", { enum: ["app", "user"] }).notNull(),
    subjectId: text("subject_id").notNull(),
    manifest: text("manifest").notNull(),
    source: text("source").notNull(),
    syncedAt: integer("synced_at").notNull(),
    /** Value of the `entitlements` version (see {@link runtimeVersions}) this write produced. */
    revision: integer("revision").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.scope, t.subjectId] })],
);

/**
 * The usage ledger: every counted unit, idempotent by `event_id`. A row names the counter it
 * counted in (`subject_*`, `period_*`; null when it counts in none), so counters can be
 * recomputed from the ledger alone.
 */
export const usageEvents = sqliteTable(
  "usage_events",
  {
    eventId: text("event_id").primaryKey(),
    appId: text("app_id").notNull(),
    userId: text("user_id").notNull(),
    metric: text("metric").notNull(),
    amount: integer("amount").notNull(),
    occurredAt: integer("occurred_at").notNull(),
    kind: text("kind").notNull(),
    workflowId: text("workflow_id"),
    runId: text("run_id"),
    model: text("model"),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    batchId: text("batch_id"),
    recordedAt: integer("recorded_at").notNull(),
    subjectScope: text("subject_scope", { enum: ["app", "user"] }),
    subjectId: text("subject_id"),
    periodStart: integer("period_start"),
    periodEnd: integer("period_end"),
  },
  // Usage history (GET /api/usage) reads one user's rows of a metric in a time range.
  (t) => [index("usage_events_user_metric_time").on(t.userId, t.metric, t.occurredAt)],
);

/**
 * Usage per (subject, limit, window), kept in the same transaction as each ledger write: `used`
 * is the ledger's sum for the key, `floor` the v1.1 platform value (effective usage is the
 * larger). `period_end` 0 is a gauge that never resets.
 */
export const usageCounters = sqliteTable(
  "usage_counters",
  {
    subjectScope: text("subject_scope", { enum: ["app", "user"] }).notNull(),
    subjectId: text("subject_id").notNull(),
    metric: text("metric").notNull(),
    periodStart: integer("period_start").notNull(),
    periodEnd: integer("period_end").notNull(),
    used: integer("used").notNull().default(0),
    floor: integer("floor").notNull().default(0),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.subjectScope, t.subjectId, t.metric, t.periodStart, t.periodEnd] })],
);

/** Token allowances reserved by running workflows, until their end settles them. */
export const usageHolds = sqliteTable("usage_holds", {
  runId: text("run_id").primaryKey(),
  subjectScope: text("subject_scope", { enum: ["app", "user"] }).notNull(),
  subjectId: text("subject_id").notNull(),
  metric: text("metric").notNull(),
  periodStart: integer("period_start").notNull(),
  periodEnd: integer("period_end").notNull(),
  held: integer("held").notNull(),
  createdAt: integer("created_at").notNull(),
  /** The instance whose run holds it (see {@link runtimeInstances}); null: recorded before instances. */
  instanceId: text("instance_id"),
});

/** Workflow runs (written by the workflow launcher). */
export const runs = sqliteTable(
  "runs",
  {
    runId: text("run_id").primaryKey(),
    appId: text("app_id").notNull(),
    userId: text("user_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    status: text("status").notNull(),
    scope: text("scope").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** The instance executing the run; null: recorded before instances. */
    instanceId: text("instance_id"),
  },
  (t) => [index("runs_status").on(t.status, t.instanceId)],
);

/** Security audit trail: capability/limit checks, signature checks, tenant isolation. */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    createdAt: integer("created_at").notNull(),
    eventType: text("event_type").notNull(),
    result: text("result").notNull(),
    appId: text("app_id").notNull(),
    userId: text("user_id"),
    subject: text("subject"),
    requestId: text("request_id"),
    details: text("details").notNull(),
  },
  // Pages are read newest first by `id` (ids follow time); `event_type` picks out rare kinds
  // (anomalies) without scanning. No index on `created_at`: nothing reads by it, and each index
  // is a write per record.
  (t) => [index("audit_events_type").on(t.eventType)],
);

/** Events of workflow runs (orchestration + usage), in emission order; `id` is the SSE event id. */
export const runEvents = sqliteTable(
  "run_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull(),
    kind: text("kind").notNull(),
    payload: text("payload").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("run_events_run").on(t.runId, t.id)],
);

/**
 * Change counters shared by every instance on the database: a write to `entitlements` bumps
 * the `entitlements` row in the same transaction, and instances poll it to reload what changed.
 */
export const runtimeVersions = sqliteTable("runtime_versions", {
  key: text("key").primaryKey(),
  version: integer("version").notNull(),
});

/**
 * Instances serving this database, each with its heartbeat: a run or token hold whose instance
 * stopped beating is settled by a live instance (src/control/workflows/settlement.ts).
 */
export const runtimeInstances = sqliteTable("runtime_instances", {
  instanceId: text("instance_id").primaryKey(),
  startedAt: integer("started_at").notNull(),
  heartbeatAt: integer("heartbeat_at").notNull(),
});

/** SQL migrations applied per pack module, with a checksum (see src/modules/migrations.ts). */
export const moduleMigrations = sqliteTable(
  "module_migrations",
  {
    moduleId: text("module_id").notNull(),
    name: text("name").notNull(),
    checksum: text("checksum").notNull(),
    appliedAt: text("applied_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.moduleId, t.name] })],
);

/** The module event bus's outbox, written in the emitting module's transaction. */
export const moduleEvents = sqliteTable("module_events", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  eventId: text("event_id").notNull().unique(),
  eventType: text("event_type").notNull(),
  moduleId: text("module_id").notNull(),
  actorUserId: text("actor_user_id"),
  payload: text("payload").notNull(),
  occurredAt: text("occurred_at").notNull(),
});

/** One row per (event, reaction) with its delivery state. */
export const moduleDeliveries = sqliteTable(
  "module_deliveries",
  {
    eventId: text("event_id")
      .notNull()
      .references(() => moduleEvents.eventId),
    reactionId: text("reaction_id").notNull(),
    moduleId: text("module_id").notNull(),
    handlerMethod: text("handler_method").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: text("next_attempt_at").notNull(),
    lastError: text("last_error"),
    deliveredAt: text("delivered_at"),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.reactionId] }),
    index("module_deliveries_due").on(t.status, t.nextAttemptAt),
    check("module_deliveries_status", sql`${t.status} IN ('pending', 'delivered', 'dead')`),
  ],
);

/** Every failed delivery attempt with its error. */
export const moduleDeliveryFailures = sqliteTable("module_delivery_failures", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  eventId: text("event_id").notNull(),
  reactionId: text("reaction_id").notNull(),
  attempt: integer("attempt").notNull(),
  error: text("error").notNull(),
  failedAt: text("failed_at").notNull(),
});

/** Webhook subscriptions: from the bundle's `webhooks.json` (`source` bundle) or the internal API. */
export const webhookSubscriptions = sqliteTable("webhook_subscriptions", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  secret: text("secret").notNull(),
  source: text("source", { enum: ["bundle", "api"] }).notNull(),
  /** JSON arrays / object of the subscription's settings. */
  eventTypes: text("event_types").notNull(),
  thresholds: text("thresholds").notNull(),
  limitThresholds: text("limit_thresholds").notNull(),
  leadSeconds: integer("lead_seconds").notNull(),
  enabled: integer("enabled").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * The webhook outbox: one message per (subscription, event), its body as signed, and its
 * delivery state. `dedupe_key` makes an event fire once per subscription (e.g. a threshold once
 * per limit, subject, period and percentage).
 */
export const webhookMessages = sqliteTable(
  "webhook_messages",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    subscriptionId: text("subscription_id").notNull(),
    eventType: text("event_type").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    payload: text("payload").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    /** A claimed delivery is not picked up by another drain (or instance) before this time. */
    leaseUntil: integer("lease_until").notNull().default(0),
    deliveredAt: integer("delivered_at"),
    lastHttpStatus: integer("last_http_status"),
    lastError: text("last_error"),
  },
  (t) => [
    uniqueIndex("webhook_messages_dedupe").on(t.subscriptionId, t.dedupeKey),
    index("webhook_messages_due").on(t.status, t.nextAttemptAt),
    check("webhook_messages_status", sql`${t.status} IN ('pending', 'delivered', 'dead')`),
  ],
);

/** Every delivery attempt of a webhook message, with its answer. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    messageId: text("message_id").notNull(),
    attempt: integer("attempt").notNull(),
    at: integer("at").notNull(),
    httpStatus: integer("http_status"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [index("webhook_attempts_message").on(t.messageId, t.attempt)],
);

/**
 * Decisions of consuming `POST /api/check` calls by idempotency key: a repeated key answers the
 * stored decision. `pending` while the claiming request reserves; `decision` is the JSON answer.
 */
export const checkDecisions = sqliteTable(
  "check_decisions",
  {
    userId: text("user_id").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    requestHash: text("request_hash").notNull(),
    status: text("status", { enum: ["pending", "done"] }).notNull(),
    decision: text("decision"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.idempotencyKey] })],
);

/** `properties` of `POST /api/track` events, by their ledger `event_id` (reporting only). */
export const usageEventProperties = sqliteTable("usage_event_properties", {
  eventId: text("event_id").primaryKey(),
  properties: text("properties").notNull(),
});
