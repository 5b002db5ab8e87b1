import type { WebhookEventType } from "@mozaiks/contracts";
import type { SqlClient, Statement } from "../../store/sql.js";

/** A webhook subscription as the runtime holds it (the secret included). */
export interface Subscription {
  id: string;
  url: string;
  secret: string;
  source: "bundle" | "api";
  eventTypes: WebhookEventType[];
  thresholds: number[];
  limitThresholds: Record<string, number[]>;
  leadSeconds: number;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** One message to put into the outbox; a known (subscription, dedupe key) is skipped. */
export interface NewMessage {
  id: string;
  subscriptionId: string;
  eventType: WebhookEventType;
  dedupeKey: string;
  payload: string;
  createdAt: number;
}

/** A message of the outbox with its delivery state. */
export interface MessageRow {
  id: string;
  subscription_id: string;
  event_type: WebhookEventType;
  payload: string;
  status: "pending" | "delivered" | "dead";
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  delivered_at: number | null;
  last_http_status: number | null;
  last_error: string | null;
  seq: number;
}

export interface AttemptRow {
  attempt: number;
  at: number;
  http_status: number | null;
  error: string | null;
  duration_ms: number;
}

/** Outcome of one attempt, written with the message's new state in one transaction. */
export interface AttemptResult {
  messageId: string;
  attempt: number;
  at: number;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
  /** `pending` schedules the retry at `nextAttemptAt`. */
  status: "pending" | "delivered" | "dead";
  nextAttemptAt: number;
}

interface SubscriptionRow {
  id: string;
  url: string;
  secret: string;
  source: "bundle" | "api";
  event_types: string;
  thresholds: string;
  limit_thresholds: string;
  lead_seconds: number;
  enabled: number;
  created_at: number;
  updated_at: number;
}

const MESSAGE_COLUMNS =
  "seq, id, subscription_id, event_type, payload, status, attempts, created_at, next_attempt_at, delivered_at, last_http_status, last_error";

const UPSERT_SUBSCRIPTION = `INSERT INTO webhook_subscriptions
  (id, url, secret, source, event_types, thresholds, limit_thresholds, lead_seconds, enabled, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET url = excluded.url, secret = excluded.secret, source = excluded.source,
    event_types = excluded.event_types, thresholds = excluded.thresholds,
    limit_thresholds = excluded.limit_thresholds, lead_seconds = excluded.lead_seconds,
    enabled = excluded.enabled, updated_at = excluded.updated_at`;

function toSubscription(r: SubscriptionRow): Subscription {
  return {
    id: r.id,
    url: r.url,
    secret: r.secret,
    source: r.source,
    eventTypes: JSON.parse(r.event_types) as WebhookEventType[],
    thresholds: JSON.parse(r.thresholds) as number[],
    limitThresholds: JSON.parse(r.limit_thresholds) as Record<string, number[]>,
    leadSeconds: Number(r.lead_seconds),
    enabled: Number(r.enabled) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function upsert(s: Subscription): Statement {
  return {
    sql: UPSERT_SUBSCRIPTION,
    params: [
      s.id,
      s.url,
      s.secret,
      s.source,
      JSON.stringify(s.eventTypes),
      JSON.stringify(s.thresholds),
      JSON.stringify(s.limitThresholds),
      s.leadSeconds,
      s.enabled ? 1 : 0,
      s.createdAt,
      s.updatedAt,
    ],
  };
}

/**
 * The webhook tables, through the SQL both database engines accept: subscriptions, the outbox
 * (a unique (subscription, dedupe key) makes an event fire once) and the attempt log. A
 * delivery is claimed with a conditional lease update, so two drains (or instances) never send
 * one message at the same time.
 */
export class WebhookStore {
  constructor(private readonly sql: SqlClient) {}

  async subscriptions(): Promise<Subscription[]> {
    const rows = await this.sql.all<SubscriptionRow>("SELECT * FROM webhook_subscriptions ORDER BY id");
    return rows.map(toSubscription);
  }

  async subscription(id: string): Promise<Subscription | undefined> {
    const r = await this.sql.get<SubscriptionRow>("SELECT * FROM webhook_subscriptions WHERE id = ?", [id]);
    return r ? toSubscription(r) : undefined;
  }

  async saveSubscription(s: Subscription): Promise<void> {
    await this.sql.batch([upsert(s)]);
  }

  async deleteSubscription(id: string): Promise<boolean> {
    return (await this.sql.run("DELETE FROM webhook_subscriptions WHERE id = ?", [id])).changes > 0;
  }

  /** Makes the bundle's subscriptions exactly `subs`: upserts them, drops bundle ones no longer listed. */
  async replaceBundleSubscriptions(subs: Subscription[]): Promise<void> {
    const keep = subs.map((s) => s.id);
    const drop: Statement =
      keep.length === 0
        ? { sql: "DELETE FROM webhook_subscriptions WHERE source = 'bundle'" }
        : {
            sql: `DELETE FROM webhook_subscriptions WHERE source = 'bundle' AND id NOT IN (${keep.map(() => "?").join(", ")})`,
            params: keep,
          };
    await this.sql.batch([drop, ...subs.map(upsert)]);
  }

  /** Inserts the messages not seen before (by subscription and dedupe key); returns how many were new. */
  async enqueue(messages: NewMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    const changes = await this.sql.batch(
      messages.map((m) => ({
        sql: `INSERT INTO webhook_messages (id, subscription_id, event_type, dedupe_key, payload, status, attempts, created_at, next_attempt_at, lease_until)
          VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, 0)
          ON CONFLICT (subscription_id, dedupe_key) DO NOTHING`,
        params: [m.id, m.subscriptionId, m.eventType, m.dedupeKey, m.payload, m.createdAt, m.createdAt],
      })),
    );
    return changes.reduce((a, b) => a + b, 0);
  }

  /** Pending messages due at `now` and not leased, oldest first. */
  due(now: number, limit: number): Promise<MessageRow[]> {
    return this.sql.all<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM webhook_messages
       WHERE status = 'pending' AND next_attempt_at <= ? AND lease_until <= ? ORDER BY seq LIMIT ?`,
      [now, now, limit],
    );
  }

  /** Takes the lease of a due message until `until`; false when another drain holds it or it is done. */
  async claim(id: string, now: number, until: number): Promise<boolean> {
    const r = await this.sql.run(
      "UPDATE webhook_messages SET lease_until = ? WHERE id = ? AND status = 'pending' AND lease_until <= ?",
      [until, id, now],
    );
    return r.changes === 1;
  }

  /** Logs one attempt and moves the message to its new state, in one transaction. */
  async recordAttempt(a: AttemptResult): Promise<void> {
    await this.sql.batch([
      {
        sql: "INSERT INTO webhook_attempts (message_id, attempt, at, http_status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
        params: [a.messageId, a.attempt, a.at, a.httpStatus, a.error, Math.round(a.durationMs)],
      },
      {
        sql: `UPDATE webhook_messages SET status = ?, attempts = ?, next_attempt_at = ?, lease_until = 0,
              delivered_at = ?, last_http_status = ?, last_error = ? WHERE id = ?`,
        params: [
          a.status,
          a.attempt,
          a.nextAttemptAt,
          a.status === "delivered" ? a.at : null,
          a.httpStatus,
          a.error,
          a.messageId,
        ],
      },
    ]);
  }

  /** Puts a dead message back in line (an operator's redelivery); false when it is not dead. */
  async revive(id: string, now: number): Promise<boolean> {
    const r = await this.sql.run(
      "UPDATE webhook_messages SET status = 'pending', next_attempt_at = ?, lease_until = 0 WHERE id = ? AND status = 'dead'",
      [now, id],
    );
    return r.changes === 1;
  }

  /** The delivery log, newest first, optionally filtered; `before` is a `seq` from an earlier page. */
  list(filter: {
    subscriptionId?: string | undefined;
    status?: string | undefined;
    eventType?: string | undefined;
    before?: number | undefined;
    limit: number;
  }): Promise<MessageRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      params.push(value);
    };
    if (filter.subscriptionId !== undefined) add("subscription_id = ?", filter.subscriptionId);
    if (filter.status !== undefined) add("status = ?", filter.status);
    if (filter.eventType !== undefined) add("event_type = ?", filter.eventType);
    if (filter.before !== undefined) add("seq < ?", filter.before);
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    return this.sql.all<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM webhook_messages ${clause} ORDER BY seq DESC LIMIT ?`,
      [...params, filter.limit],
    );
  }

  message(id: string): Promise<MessageRow | undefined> {
    return this.sql.get<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM webhook_messages WHERE id = ?`, [id]);
  }

  attempts(messageId: string): Promise<AttemptRow[]> {
    return this.sql.all<AttemptRow>(
      "SELECT attempt, at, http_status, error, duration_ms FROM webhook_attempts WHERE message_id = ? ORDER BY attempt",
      [messageId],
    );
  }

  /** Messages still waiting for a successful delivery. */
  async pending(): Promise<number> {
    const r = await this.sql.get<{ n: number | string }>(
      "SELECT count(*) AS n FROM webhook_messages WHERE status = 'pending'",
    );
    return Number(r?.n ?? 0);
  }
}
