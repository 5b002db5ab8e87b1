import { randomBytes } from "node:crypto";
import { type EntitlementManifest, LIMIT_IDS, type UsageIngestBatch } from "@mozaiks/contracts";
import {
  CapabilityEnforcer,
  type CapabilityEvaluator,
  type LimitExceededError,
  silentLogger,
} from "@mozaiks/entitlements-core";
import type { Clock } from "../../clock.js";
import type { CounterKey, CounterStore, Hold, LedgerRow, UsageSubject } from "./counters.js";
import { LimitPeriodResolver, type LimitPeriodSpec, type UsageWindow, windowOf } from "./periods.js";

export type { UsageSubject } from "./counters.js";

/** What the ledger needs to know of a caller's entitlements (a `ResolvedEntitlements`). */
export interface LimitContext {
  manifest: EntitlementManifest;
  evaluator: CapabilityEvaluator;
  source: string;
  subject: UsageSubject;
}

/** Result of an atomic reservation. */
export interface Reservation {
  limitId: string;
  limit: number | undefined;
  usedBefore: number;
  /** Set when the limit was exceeded under `warn` enforcement (allowed anyway). */
  warning: LimitExceededError | undefined;
}

/** A limit's usage now, with how it is counted. */
export interface LimitUsage {
  used: number;
  period: LimitPeriodSpec;
  /** The current window (undefined for `run` limits, which the ledger does not count). */
  window: UsageWindow | undefined;
}

/** Limit id token usage is counted under (docs/reference/capabilities.md). */
export const TOKENS_MONTHLY = LIMIT_IDS.tokensMonthly;

/** Metric that per-run summaries are stored under when deltas of the same run are the counted source. */
export const RUN_SUMMARY_METRIC = "summary.total_tokens";

/** This process's part of reservation ids: unique across instances sharing a database. */
const ID_ORIGIN = randomBytes(6).toString("hex");
let idSequence = 0;

/**
 * A new reservation's `event_id`: its time, this process's origin and a sequence, so ids grow
 * with time. New ledger rows then land at the right edge of the `event_id` index instead of on a
 * random page each (random ids made a group's commit write one index page per member).
 */
function reservationId(at: number): string {
  idSequence += 1;
  return `rsv_${at.toString(36).padStart(9, "0")}${ID_ORIGIN}${idSequence.toString(36).padStart(8, "0")}`;
}

/** Services of the {@link UsageLedger}. */
export interface UsageLedgerDeps {
  counters: CounterStore;
  clock: Clock;
  appId: string;
  logger: { warn(obj: object, msg: string): void };
  /** The entitlements in force for a user (whose subject ingested usage counts for). */
  resolve(userId: string): Promise<LimitContext>;
}

/** Units of `amount` plus who, what and when: the columns every ledger row shares. */
type RowBase = Omit<LedgerRow, "counter">;

/**
 * The usage ledger: every counted unit is a `usage_events` row, and the counter of its
 * (subject, limit, window) is updated in the same transaction, so checks and reservations
 * cost the same at any ledger size. The subject is the user when their manifest is
 * user-scoped, else the app: a user governed by their own manifest never consumes the app's.
 */
export class UsageLedger {
  readonly periods: LimitPeriodResolver;

  constructor(private readonly deps: UsageLedgerDeps) {
    this.periods = new LimitPeriodResolver(deps.logger);
  }

  /** The counter `limitId` of `ctx`'s subject counts in at `at`, or undefined for `run` limits. */
  counterFor(ctx: LimitContext, limitId: string, at: Date): CounterKey | undefined {
    const window = windowOf(this.periods.specFor(ctx.manifest, ctx.source, limitId), at);
    return window ? { subject: ctx.subject, metric: limitId, window } : undefined;
  }

  /** Usage of `limitId` by `ctx`'s subject in the current window (0 for per-run limits). */
  async usage(ctx: LimitContext, limitId: string, now: Date = this.deps.clock.now()): Promise<LimitUsage> {
    const period = this.periods.specFor(ctx.manifest, ctx.source, limitId);
    const window = windowOf(period, now);
    if (!window) return { used: 0, period, window };
    const c = await this.deps.counters.read({ subject: ctx.subject, metric: limitId, window });
    return { used: Math.max(c.used, c.floor), period, window };
  }

  /** Shorthand for `usage(...).used`. */
  async used(ctx: LimitContext, limitId: string, now?: Date): Promise<number> {
    return (await this.usage(ctx, limitId, now)).used;
  }

  /** Raises the current window's usage floor of `ctx`'s subject (v1.1 `used`). */
  async setBaselines(ctx: LimitContext, baselines: Record<string, number>): Promise<void> {
    const now = this.deps.clock.now();
    for (const [metric, used] of Object.entries(baselines)) {
      const key = this.counterFor(ctx, metric, now);
      if (key) await this.deps.counters.raiseFloor(key, used, now.getTime());
    }
  }

  #row(
    over: Partial<RowBase> & Pick<RowBase, "eventId" | "userId" | "metric" | "kind">,
    now: number,
  ): RowBase {
    return {
      appId: this.deps.appId,
      amount: 0,
      occurredAt: now,
      workflowId: null,
      runId: null,
      model: null,
      inputTokens: null,
      outputTokens: null,
      batchId: null,
      recordedAt: now,
      ...over,
    };
  }

  /**
   * Atomically checks `limitId` for `amount` more units and records them (one conditional
   * update of the counter). Throws `LimitExceededError` under `soft`/`hard` enforcement; `warn`
   * records and reports a warning; `none` records only. `eventId` makes it idempotent.
   */
  async reserve(opts: {
    ctx: LimitContext;
    limitId: string;
    userId: string;
    amount?: number;
    kind: string;
    eventId?: string;
  }): Promise<Reservation & { duplicate: boolean }> {
    const { ctx, limitId } = opts;
    const amount = opts.amount ?? 1;
    const now = this.deps.clock.now();
    const ev = ctx.evaluator;
    const limit = ev.getLimit(limitId);
    let warning: LimitExceededError | undefined;
    // Built only when a check has to run here (a refusal, `warn`/`none`, a per-run limit).
    const enforcer = () =>
      new CapabilityEnforcer(ev, {
        logger: silentLogger,
        onLimitWarning: (e) => {
          warning = e;
        },
      });
    const key = this.counterFor(ctx, limitId, now);
    if (!key) {
      // A per-run limit is bounded by the launch scope; there is nothing to count here.
      enforcer().requireWithinLimit(limitId, 0, amount);
      return { limitId, limit, usedBefore: 0, warning, duplicate: false };
    }
    const mode = ev.enforcementFor(limitId);
    const enforced = limit !== undefined && (mode === "soft" || mode === "hard");
    const at = now.getTime();
    // The row as one literal (the hot path: no spread copies).
    const row: LedgerRow & { counter: CounterKey } = {
      eventId: opts.eventId ?? reservationId(at),
      appId: this.deps.appId,
      userId: opts.userId,
      metric: limitId,
      amount,
      occurredAt: at,
      kind: opts.kind,
      workflowId: null,
      runId: null,
      model: null,
      inputTokens: null,
      outputTokens: null,
      batchId: null,
      recordedAt: at,
      counter: key,
    };
    const out = await this.deps.counters.reserve(row, enforced ? (limit as number) : null);
    if (out.status === "exceeded") {
      enforcer().requireWithinLimit(limitId, Math.max(out.current.used, out.current.floor), amount);
      // Only reached if the evaluator disagrees with the counter (it never should): fail closed.
      throw new Error(`reservation of ${limitId} refused by the counter`);
    }
    if (out.status === "duplicate") {
      const usedBefore = Math.max(out.current.used, out.current.floor);
      return { limitId, limit, usedBefore, warning: undefined, duplicate: true };
    }
    const usedBefore = Math.max(out.before.used, out.before.floor);
    if (!enforced) enforcer().requireWithinLimit(limitId, usedBefore, amount);
    return { limitId, limit, usedBefore, warning, duplicate: false };
  }

  /**
   * Gives back `amount` units of a gauge (e.g. a seat): its usage drops by at most what it
   * holds, never below 0. Idempotent by `eventId`.
   */
  async release(opts: {
    ctx: LimitContext;
    limitId: string;
    userId: string;
    amount: number;
    eventId: string;
  }): Promise<{ delta: number; used: number; duplicate: boolean }> {
    const now = this.deps.clock.now();
    const key = this.counterFor(opts.ctx, opts.limitId, now);
    if (!key) return { delta: 0, used: 0, duplicate: false };
    const row = {
      ...this.#row(
        { eventId: opts.eventId, userId: opts.userId, metric: opts.limitId, kind: "release" },
        now.getTime(),
      ),
      counter: key,
    };
    const r = await this.deps.counters.release(row, opts.amount);
    return { delta: r.delta, used: Math.max(r.current.used, r.current.floor), duplicate: r.duplicate };
  }

  /**
   * Holds up to `want` tokens of `limitId` for one workflow run, bounded by what the limit
   * leaves (`limit` undefined: unbounded); the run's recorded usage draws on the hold first and
   * {@link settle} gives back the rest. Returns the grant (0: nothing left).
   */
  async hold(opts: {
    ctx: LimitContext;
    limitId: string;
    userId: string;
    runId: string;
    workflowId: string;
    want: number;
    limit: number | undefined;
  }): Promise<{ granted: number; usedBefore: number }> {
    const now = this.deps.clock.now();
    const key = this.counterFor(opts.ctx, opts.limitId, now);
    if (!key) return { granted: opts.want, usedBefore: 0 };
    const row = {
      ...this.#row(
        {
          eventId: `${opts.runId}.token_hold`,
          userId: opts.userId,
          metric: opts.limitId,
          kind: "token_hold",
          runId: opts.runId,
          workflowId: opts.workflowId,
        },
        now.getTime(),
      ),
      counter: key,
    };
    const r = await this.deps.counters.reserveUpTo(row, opts.want, opts.limit ?? null);
    return { granted: r.granted, usedBefore: Math.max(r.before.used, r.before.floor) };
  }

  /** Releases what the run's hold still holds (its end, or a restart after a crash). Idempotent. */
  async settle(runId: string, userId: string): Promise<number> {
    const now = this.deps.clock.now().getTime();
    const release = this.#row(
      {
        eventId: `${runId}.token_release`,
        userId,
        metric: TOKENS_MONTHLY,
        kind: "token_hold_release",
        runId,
      },
      now,
    );
    const hold = await this.deps.counters.hold(runId);
    if (!hold) return 0;
    return this.deps.counters.settle(runId, { ...release, metric: hold.counter.metric });
  }

  /** Holds not settled yet (runs in flight, or interrupted by a crash). */
  openHolds(): Promise<Hold[]> {
    return this.deps.counters.openHolds();
  }

  /**
   * Records app-reported usage of any limit (`POST /api/track`) in one transaction: each event
   * counts for its context's subject in the window of its own time (a per-run limit is kept,
   * not counted); a known `eventId`, in the ledger or earlier in the batch, is a duplicate.
   */
  async track(
    events: ReadonlyArray<{
      ctx: LimitContext;
      eventId: string;
      userId: string;
      metric: string;
      amount: number;
      occurredAt: number;
    }>,
  ): Promise<{ accepted: number; duplicates: number }> {
    const now = this.deps.clock.now().getTime();
    const rows: LedgerRow[] = events.map(({ ctx, ...e }) => ({
      ...this.#row({ ...e, kind: "track" }, now),
      counter: this.counterFor(ctx, e.metric, new Date(e.occurredAt)),
    }));
    const accepted = await this.deps.counters.record(rows);
    return { accepted, duplicates: events.length - accepted };
  }

  /**
   * Records a batch of usage events in one transaction; an `event_id` already present (in the
   * ledger or earlier in the batch) is counted as a duplicate, never twice. Each event counts
   * for its user's subject, in the window of its own timestamp.
   */
  async ingest(batch: UsageIngestBatch): Promise<{ accepted: number; duplicates: number }> {
    const recordedAt = this.deps.clock.now().getTime();
    const contexts = new Map<string, LimitContext>();
    for (const e of batch.events) {
      if (!contexts.has(e.user_id)) contexts.set(e.user_id, await this.deps.resolve(e.user_id));
    }
    const rows: LedgerRow[] = batch.events.map((e) => {
      // Per-call deltas are the counted source; a run summary that names its run is kept for
      // reporting only so the same tokens are not counted twice.
      const summary = e.kind === "chat.usage_summary" && e.run_id;
      const metric = summary ? RUN_SUMMARY_METRIC : TOKENS_MONTHLY;
      const occurredAt = Date.parse(e.timestamp);
      const ctx = contexts.get(e.user_id) as LimitContext;
      return {
        eventId: e.event_id,
        appId: e.app_id,
        userId: e.user_id,
        metric,
        amount: e.total_tokens,
        occurredAt,
        kind: e.kind,
        workflowId: e.workflow_id,
        runId: e.run_id ?? null,
        model: e.model,
        inputTokens: e.input_tokens,
        outputTokens: e.output_tokens,
        batchId: batch.batch_id,
        recordedAt,
        counter: summary ? undefined : this.counterFor(ctx, metric, new Date(occurredAt)),
      };
    });
    const accepted = await this.deps.counters.record(rows);
    return { accepted, duplicates: batch.events.length - accepted };
  }
}
