import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";

// The PostgreSQL twin of schema.ts: same tables, columns and indexes. Times in milliseconds are
// bigint (read back as numbers, see src/store/postgres.ts).

const ms = (name: string) => bigint(name, { mode: "number" });

export const entitlements = pgTable(
  "entitlements",
  {
    scope: text("scope", { enum: ["app", "user"] }).notNull(),
    subjectId: text("subject_id").notNull(),
    manifest: text("manifest").notNull(),
    source: text("source").notNull(),
    syncedAt: ms("synced_at").notNull(),
    revision: ms("revision").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.scope, t.subjectId] })],
);

export const usageEvents = pgTable(
  "usage_events",
  {
    eventId: text("event_id").primaryKey(),
    appId: text("app_id").notNull(),
    userId: text("user_id").notNull(),
    metric: text("metric").notNull(),
    amount: ms("amount").notNull(),
    occurredAt: ms("occurred_at").notNull(),
    kind: text("kind").notNull(),
    workflowId: text("workflow_id"),
    runId: text("run_id"),
    model: text("model"),
    inputTokens: ms("input_tokens"),
    outputTokens: ms("output_tokens"),
    batchId: text("batch_id"),
    recordedAt: ms("recorded_at").notNull(),
    subjectScope: text("subject_scope", { enum: ["app", "user"] }),
    subjectId: text("subject_id"),
    periodStart: ms("period_start"),
    periodEnd: ms("period_end"),
  },
  (t) => [index("usage_events_user_metric_time").on(t.userId, t.metric, t.occurredAt)],
);

export const usageCounters = pgTable(
  "usage_counters",
  {
    subjectScope: text("subject_scope", { enum: ["app", "user"] }).notNull(),
    subjectId: text("subject_id").notNull(),
    metric: text("metric").notNull(),
    periodStart: ms("period_start").notNull(),
    periodEnd: ms("period_end").notNull(),
    used: ms("used").notNull().default(0),
    floor: ms("floor").notNull().default(0),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.subjectScope, t.subjectId, t.metric, t.periodStart, t.periodEnd] })],
);

export const usageHolds = pgTable("usage_holds", {
  runId: text("run_id").primaryKey(),
  subjectScope: text("subject_scope", { enum: ["app", "user"] }).notNull(),
  subjectId: text("subject_id").notNull(),
  metric: text("metric").notNull(),
  periodStart: ms("period_start").notNull(),
  periodEnd: ms("period_end").notNull(),
  held: ms("held").notNull(),
  createdAt: ms("created_at").notNull(),
  /** The instance whose run holds it (see {@link runtimeInstances}); null: recorded before instances. */
  instanceId: text("instance_id"),
});

export const runs = pgTable(
  "runs",
  {
    runId: text("run_id").primaryKey(),
    appId: text("app_id").notNull(),
    userId: text("user_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    status: text("status").notNull(),
    scope: text("scope").notNull(),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
    /** The instance executing the run; null: recorded before instances. */
    instanceId: text("instance_id"),
  },
  (t) => [index("runs_status").on(t.status, t.instanceId)],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    createdAt: ms("created_at").notNull(),
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

export const runEvents = pgTable(
  "run_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: text("run_id").notNull(),
    kind: text("kind").notNull(),
    payload: text("payload").notNull(),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [index("run_events_run").on(t.runId, t.id)],
);

export const runtimeVersions = pgTable("runtime_versions", {
  key: text("key").primaryKey(),
  version: ms("version").notNull(),
});

/**
 * Instances serving this database, each with its heartbeat: a run or token hold whose instance
 * stopped beating is settled by a live instance (src/control/workflows/settlement.ts).
 */
export const runtimeInstances = pgTable("runtime_instances", {
  instanceId: text("instance_id").primaryKey(),
  startedAt: ms("started_at").notNull(),
  heartbeatAt: ms("heartbeat_at").notNull(),
});

export const moduleMigrations = pgTable(
  "module_migrations",
  {
    moduleId: text("module_id").notNull(),
    name: text("name").notNull(),
    checksum: text("checksum").notNull(),
    appliedAt: text("applied_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.moduleId, t.name] })],
);

export const moduleEvents = pgTable("module_events", {
  seq: bigserial("seq", { mode: "number" }).primaryKey(),
  eventId: text("event_id").notNull().unique(),
  eventType: text("event_type").notNull(),
  moduleId: text("module_id").notNull(),
  actorUserId: text("actor_user_id"),
  payload: text("payload").notNull(),
  occurredAt: text("occurred_at").notNull(),
});

export const moduleDeliveries = pgTable(
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

export const moduleDeliveryFailures = pgTable("module_delivery_failures", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  eventId: text("event_id").notNull(),
  reactionId: text("reaction_id").notNull(),
  attempt: integer("attempt").notNull(),
  error: text("error").notNull(),
  failedAt: text("failed_at").notNull(),
});

export const webhookSubscriptions = pgTable("webhook_subscriptions", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  secret: text("secret").notNull(),
  source: text("source", { enum: ["bundle", "api"] }).notNull(),
  eventTypes: text("event_types").notNull(),
  thresholds: text("thresholds").notNull(),
  limitThresholds: text("limit_thresholds").notNull(),
  leadSeconds: integer("lead_seconds").notNull(),
  enabled: integer("enabled").notNull(),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const webhookMessages = pgTable(
  "webhook_messages",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    id: text("id").notNull().unique(),
    subscriptionId: text("subscription_id").notNull(),
    eventType: text("event_type").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    payload: text("payload").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    createdAt: ms("created_at").notNull(),
    nextAttemptAt: ms("next_attempt_at").notNull(),
    leaseUntil: ms("lease_until").notNull().default(0),
    deliveredAt: ms("delivered_at"),
    lastHttpStatus: integer("last_http_status"),
    lastError: text("last_error"),
  },
  (t) => [
    uniqueIndex("webhook_messages_dedupe").on(t.subscriptionId, t.dedupeKey),
    index("webhook_messages_due").on(t.status, t.nextAttemptAt),
    check("webhook_messages_status", sql`${t.status} IN ('pending', 'delivered', 'dead')`),
  ],
);

export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    messageId: text("message_id").notNull(),
    attempt: integer("attempt").notNull(),
    at: ms("at").notNull(),
    httpStatus: integer("http_status"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [index("webhook_attempts_message").on(t.messageId, t.attempt)],
);

export const checkDecisions = pgTable(
  "check_decisions",
  {
    userId: text("user_id").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    requestHash: text("request_hash").notNull(),
    status: text("status", { enum: ["pending", "done"] }).notNull(),
    decision: text("decision"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.idempotencyKey] })],
);

export const usageEventProperties = pgTable("usage_event_properties", {
  eventId: text("event_id").primaryKey(),
  properties: text("properties").notNull(),
});
