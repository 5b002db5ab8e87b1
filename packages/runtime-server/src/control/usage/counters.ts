import type { GroupStats } from "./commit-groups.js";
import type { UsageWindow } from "./periods.js";

/** Whose usage a limit counts: the user for a user-scoped manifest, else the whole app. */
export interface UsageSubject {
  scope: "app" | "user";
  id: string;
}

/** One counter: a subject's usage of one metric (limit id) in one window. */
export interface CounterKey {
  subject: UsageSubject;
  metric: string;
  window: UsageWindow;
}

/** A counter's state: `used` is the ledger's sum, `floor` a v1.1 platform value it never goes below. */
export interface CounterValue {
  used: number;
  floor: number;
}

/** One ledger row (`usage_events`). `counter` is where its amount counts (none: kept for reporting). */
export interface LedgerRow {
  eventId: string;
  appId: string;
  userId: string;
  metric: string;
  amount: number;
  occurredAt: number;
  kind: string;
  workflowId: string | null;
  runId: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  batchId: string | null;
  recordedAt: number;
  counter: CounterKey | undefined;
}

/** Most reservations committed in one group (bounds how long a group holds its locks). */
export const MAX_RESERVATION_GROUP = 64;

/** Outcome of a conditional reservation. */
export type ReserveOutcome =
  | { status: "reserved"; before: CounterValue }
  | { status: "exceeded"; current: CounterValue }
  | { status: "duplicate"; current: CounterValue };

/** A token hold of one workflow run (reserved at launch, settled at its end). */
export interface Hold {
  runId: string;
  counter: CounterKey;
  /** Units still held (reserved, not yet matched by the run's recorded usage). */
  held: number;
  /** The instance whose run it is (`runtime_instances`); null for holds recorded before instances. */
  instanceId: string | null;
}

/** A counter as stored, with the ledger's sum for the same key (verify / rebuild). */
export interface CounterDrift {
  key: CounterKey;
  counter: number;
  ledger: number;
}

/** Progress of a ledger scan: rows read so far of about `total`. */
export type ScanProgress = (scanned: number, total: number) => void;

/**
 * The dialect-specific half of the usage ledger: ledger rows and their counters, written in
 * one transaction each, so a check costs the same at any ledger size. `SqliteCounterStore`
 * implements it for better-sqlite3, `PgCounterStore` for PostgreSQL.
 *
 * Every write that carries a `counter` adds its amount to that counter in the same transaction
 * as the ledger insert, and only when the row is new (`event_id` is the idempotency key).
 */
export interface CounterStore {
  /** The counter's state (zeros when it does not exist yet). */
  read(key: CounterKey): Promise<CounterValue>;
  /** Inserts new rows and counts them; returns how many were new. One transaction. */
  record(rows: LedgerRow[]): Promise<number>;
  /**
   * Adds `row.amount` to its counter only when `max(used, floor) + amount <= limit` (always
   * when `limit` is null), checked and written atomically, and inserts the row, in one
   * transaction. A known `event_id` changes nothing (`duplicate`). Reservations made in
   * the same turn of the event loop share that transaction, each applied in arrival order with
   * its own outcome; the promise settles once the transaction has committed.
   */
  reserve(row: LedgerRow & { counter: CounterKey }, limit: number | null): Promise<ReserveOutcome>;
  /** Reservations are committed in groups (see `CommitGroups`): how many so far, and how large. */
  readonly reservationGroups: GroupStats;
  /**
   * Takes up to `want` units but at most what `limit` leaves (`row.amount` is ignored): records
   * the row with the granted amount and, when `runId` is set, a hold of it owned by this store's instance.
   * Returns the grant (0: none).
   */
  reserveUpTo(
    row: LedgerRow & { counter: CounterKey },
    want: number,
    limit: number | null,
  ): Promise<{ granted: number; before: CounterValue }>;
  /**
   * Gives back up to `amount` units of a counter, never below 0 `used`; the row records the
   * effective (negative) change. A known `event_id` changes nothing.
   */
  release(
    row: LedgerRow & { counter: CounterKey },
    amount: number,
  ): Promise<{ delta: number; duplicate: boolean; current: CounterValue }>;
  /** Raises a counter's floor to at least `floor` (v1.1 `used`). */
  raiseFloor(key: CounterKey, floor: number, now: number): Promise<void>;
  /** The open hold of `runId`, if any. */
  hold(runId: string): Promise<Hold | undefined>;
  /** Every hold that still holds units. */
  openHolds(): Promise<Hold[]>;
  /**
   * Moves up to `amount` units of the run's hold onto actual usage: the counter drops by what
   * the hold covered (the row, with a negative amount, records it). Part of `record` for
   * rows of a held run; exposed for settlement.
   */
  settle(runId: string, release: Omit<LedgerRow, "amount" | "counter">): Promise<number>;
  /** Counters whose value differs from the ledger's sum for their key (both sides scanned). */
  drift(progress?: ScanProgress): Promise<CounterDrift[]>;
  /** Rewrites every counter from the ledger (keeping floors) in one transaction; returns the drift it fixed. */
  rebuild(progress?: ScanProgress): Promise<CounterDrift[]>;
}
