import { randomUUID } from "node:crypto";
import type { UsageIngestBatch } from "@mozaiks/contracts";
import {
  CapabilityEnforcer,
  type CapabilityEvaluator,
  type LimitExceededError,
} from "@mozaiks/entitlements-core";
import { and, eq, gte, sql } from "drizzle-orm";
import type { Clock } from "../../clock.js";
import type { RuntimeDb, Store } from "../../store/db.js";
import { usageBaselines, usageEvents } from "../../store/schema.js";
import { periodOf, periodStart } from "./periods.js";

/** Whose usage a limit counts: the user for a user-scoped manifest, else the whole app. */
export interface UsageSubject {
  scope: "app" | "user";
  id: string;
}

/** Result of an atomic reservation. */
export interface Reservation {
  limitId: string;
  limit: number | undefined;
  usedBefore: number;
  /** Set when the limit was exceeded under `warn` enforcement (allowed anyway). */
  warning: LimitExceededError | undefined;
}

/** Limit id token usage is counted under (DESIGN §4). */
export const TOKENS_MONTHLY = "cap.limit.tokens_monthly";

/** Metric that per-run summaries are stored under when deltas of the same run are the counted source. */
export const RUN_SUMMARY_METRIC = "summary.total_tokens";

const quietLogger = { warn() {} };

/** The ledger's prepared statements on one connection. */
function prepareStatements(db: RuntimeDb) {
  const total = sql<number>`coalesce(sum(${usageEvents.amount}), 0)`;
  const sumApp = db
    .select({ total })
    .from(usageEvents)
    .where(
      and(
        eq(usageEvents.metric, sql.placeholder("metric")),
        gte(usageEvents.occurredAt, sql.placeholder("since")),
      ),
    )
    .prepare();
  const sumUser = db
    .select({ total })
    .from(usageEvents)
    .where(
      and(
        eq(usageEvents.userId, sql.placeholder("user")),
        eq(usageEvents.metric, sql.placeholder("metric")),
        gte(usageEvents.occurredAt, sql.placeholder("since")),
      ),
    )
    .prepare();
  const baseline = db
    .select({ used: usageBaselines.used })
    .from(usageBaselines)
    .where(
      and(
        eq(usageBaselines.scope, sql.placeholder("scope")),
        eq(usageBaselines.subjectId, sql.placeholder("subject")),
        eq(usageBaselines.metric, sql.placeholder("metric")),
        eq(usageBaselines.periodStart, sql.placeholder("start")),
      ),
    )
    .prepare();
  const insert = db
    .insert(usageEvents)
    .values({
      eventId: sql.placeholder("eventId"),
      appId: sql.placeholder("appId"),
      userId: sql.placeholder("userId"),
      metric: sql.placeholder("metric"),
      amount: sql.placeholder("amount"),
      occurredAt: sql.placeholder("occurredAt"),
      kind: sql.placeholder("kind"),
      workflowId: sql.placeholder("workflowId"),
      runId: sql.placeholder("runId"),
      model: sql.placeholder("model"),
      inputTokens: sql.placeholder("inputTokens"),
      outputTokens: sql.placeholder("outputTokens"),
      batchId: sql.placeholder("batchId"),
      recordedAt: sql.placeholder("recordedAt"),
    })
    .onConflictDoNothing()
    .prepare();
  const upsertBaseline = db
    .insert(usageBaselines)
    .values({
      scope: sql.placeholder("scope"),
      subjectId: sql.placeholder("subject"),
      metric: sql.placeholder("metric"),
      periodStart: sql.placeholder("start"),
      used: sql.placeholder("used"),
    })
    .onConflictDoUpdate({
      target: [
        usageBaselines.scope,
        usageBaselines.subjectId,
        usageBaselines.metric,
        usageBaselines.periodStart,
      ],
      set: { used: sql`max(${usageBaselines.used}, excluded.used)` },
    })
    .prepare();
  return { sumApp, sumUser, baseline, insert, upsertBaseline };
}

type Statements = ReturnType<typeof prepareStatements>;

/**
 * The usage ledger. Counters for limits are derived from `usage_events` per subject and UTC
 * period (raised to any v1.1 baseline); reservations check and record inside one
 * `BEGIN IMMEDIATE` transaction, so concurrent callers at the last unit cannot both pass.
 */
export class UsageLedger {
  /** Statements on the `synchronous = FULL` connection (ingest, reads). */
  readonly #full: Statements;
  /** Statements on the relaxed connection (reservations: check + insert in one transaction). */
  readonly #fast: Statements;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly appId: string,
  ) {
    this.#full = prepareStatements(store.db);
    this.#fast = store.relaxedDb === store.db ? this.#full : prepareStatements(store.relaxedDb);
  }

  /** Usage of `limitId` by `subject` in the current period (0 for per-run limits). */
  used(
    subject: UsageSubject,
    limitId: string,
    now: Date = this.clock.now(),
    st: Statements = this.#full,
  ): number {
    const period = periodOf(limitId);
    if (period === "run") return 0;
    const since = periodStart(period, now);
    const row =
      subject.scope === "user"
        ? st.sumUser.get({ user: subject.id, metric: limitId, since })
        : st.sumApp.get({ metric: limitId, since });
    const base = st.baseline.get({
      scope: subject.scope,
      subject: subject.id,
      metric: limitId,
      start: since,
    });
    return Math.max(Number(row?.total ?? 0), base?.used ?? 0);
  }

  /** Raises the current period's usage floor of `subject` (v1.1 `used`). */
  setBaselines(subject: UsageSubject, baselines: Record<string, number>): void {
    const now = this.clock.now();
    for (const [metric, used] of Object.entries(baselines)) {
      const period = periodOf(metric);
      if (period === "run") continue;
      this.#full.upsertBaseline.run({
        scope: subject.scope,
        subject: subject.id,
        metric,
        start: periodStart(period, now),
        used,
      });
    }
  }

  /**
   * Atomically checks `limitId` for `amount` more units and records them for `userId`. Throws
   * `LimitExceededError` under `soft`/`hard` enforcement; `warn` records and reports a warning.
   */
  reserve(opts: {
    subject: UsageSubject;
    evaluator: CapabilityEvaluator;
    limitId: string;
    userId: string;
    amount?: number;
    kind: string;
  }): Reservation {
    const amount = opts.amount ?? 1;
    const now = this.clock.now();
    let warning: LimitExceededError | undefined;
    const enforcer = new CapabilityEnforcer(opts.evaluator, {
      logger: quietLogger,
      onLimitWarning: (e) => {
        warning = e;
      },
    });
    const run = this.store.relaxed.transaction(() => {
      const usedBefore = this.used(opts.subject, opts.limitId, now, this.#fast);
      enforcer.requireWithinLimit(opts.limitId, usedBefore, amount);
      this.#fast.insert.run({
        eventId: `rsv_${randomUUID()}`,
        appId: this.appId,
        userId: opts.userId,
        metric: opts.limitId,
        amount,
        occurredAt: now.getTime(),
        kind: opts.kind,
        workflowId: null,
        runId: null,
        model: null,
        inputTokens: null,
        outputTokens: null,
        batchId: null,
        recordedAt: now.getTime(),
      });
      return usedBefore;
    });
    const usedBefore = run.immediate();
    return { limitId: opts.limitId, limit: opts.evaluator.getLimit(opts.limitId), usedBefore, warning };
  }

  /**
   * Records a batch of usage events in one transaction; an `event_id` already present (in the
   * ledger or earlier in the batch) is counted as a duplicate, never twice.
   */
  ingest(batch: UsageIngestBatch): { accepted: number; duplicates: number } {
    const recordedAt = this.clock.now().getTime();
    const run = this.store.sqlite.transaction(() => {
      let accepted = 0;
      for (const e of batch.events) {
        // Per-call deltas are the counted source; a run summary that names its run is kept for
        // reporting only so the same tokens are not counted twice.
        const metric = e.kind === "chat.usage_summary" && e.run_id ? RUN_SUMMARY_METRIC : TOKENS_MONTHLY;
        const r = this.#full.insert.run({
          eventId: e.event_id,
          appId: e.app_id,
          userId: e.user_id,
          metric,
          amount: e.total_tokens,
          occurredAt: Date.parse(e.timestamp),
          kind: e.kind,
          workflowId: e.workflow_id,
          runId: e.run_id ?? null,
          model: e.model,
          inputTokens: e.input_tokens,
          outputTokens: e.output_tokens,
          batchId: batch.batch_id,
          recordedAt,
        });
        accepted += r.changes;
      }
      return accepted;
    });
    const accepted = run.immediate();
    return { accepted, duplicates: batch.events.length - accepted };
  }
}
