import type { CounterValue, Hold, LedgerRow, UsageSubject } from "./counters.js";

// The dialect-neutral half of the two counter stores (counters-sqlite.ts, counters-pg.ts): the
// column lists they share and how their rows map to and from the ledger's types.

/** The columns of a counter's key, in `usage_counters` and `usage_holds`. */
export const KEY_COLUMNS = "subject_scope, subject_id, metric, period_start, period_end";

/** The `usage_events` columns a ledger row writes, in the order of {@link ledgerRowValues}. */
export const EVENT_COLUMNS = `event_id, app_id, user_id, metric, amount, occurred_at, kind, workflow_id, run_id, model,
  input_tokens, output_tokens, batch_id, recorded_at, subject_scope, subject_id, period_start, period_end`;

/** A ledger row's values in the order of {@link EVENT_COLUMNS} (bound by position: cheaper than by name). */
export function ledgerRowValues(r: LedgerRow, amount = r.amount): unknown[] {
  const k = r.counter;
  return [
    r.eventId,
    r.appId,
    r.userId,
    r.metric,
    amount,
    r.occurredAt,
    r.kind,
    r.workflowId,
    r.runId,
    r.model,
    r.inputTokens,
    r.outputTokens,
    r.batchId,
    r.recordedAt,
    k?.subject.scope ?? null,
    k?.subject.id ?? null,
    k?.window.start ?? null,
    k?.window.end ?? null,
  ];
}

/** A `usage_holds` row as both drivers read it. */
export interface HoldRow {
  run_id: string;
  subject_scope: UsageSubject["scope"];
  subject_id: string;
  metric: string;
  period_start: number;
  period_end: number;
  held: number;
  instance_id: string | null;
}

export function toHold(r: HoldRow): Hold {
  return {
    runId: r.run_id,
    held: r.held,
    instanceId: r.instance_id,
    counter: {
      subject: { scope: r.subject_scope, id: r.subject_id },
      metric: r.metric,
      window: { start: r.period_start, end: r.period_end },
    },
  };
}

/** A counter that does not exist yet. */
export const ZERO: CounterValue = { used: 0, floor: 0 };
