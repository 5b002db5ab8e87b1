import type Database from "better-sqlite3";
import type { Store } from "../../store/db.js";
import { CommitGroups, type GroupStats, type Settled } from "./commit-groups.js";
import { EVENT_COLUMNS, type HoldRow, KEY_COLUMNS, ledgerRowValues, toHold, ZERO } from "./counter-rows.js";
import {
  type CounterDrift,
  type CounterKey,
  type CounterStore,
  type CounterValue,
  type Hold,
  type LedgerRow,
  MAX_RESERVATION_GROUP,
  type ReserveOutcome,
  type ScanProgress,
  type UsageSubject,
} from "./counters.js";

const KEY_WHERE =
  "subject_scope = @scope AND subject_id = @subject AND metric = @metric AND period_start = @start AND period_end = @end";
const KEY_AT = "subject_scope = ? AND subject_id = ? AND metric = ? AND period_start = ? AND period_end = ?";

/** Rows per chunk when scanning the ledger (verify / rebuild). */
const SCAN_CHUNK = 100_000;

interface KeyParams {
  scope: string;
  subject: string;
  metric: string;
  start: number;
  end: number;
}

function keyParams(k: CounterKey): KeyParams {
  return {
    scope: k.subject.scope,
    subject: k.subject.id,
    metric: k.metric,
    start: k.window.start,
    end: k.window.end,
  };
}

function keyString(scope: string, subject: string, metric: string, start: number, end: number): string {
  return JSON.stringify([scope, subject, metric, start, end]);
}

function parseKey(s: string): CounterKey {
  type Parts = [UsageSubject["scope"], string, string, number, number];
  const [scope, id, metric, start, end] = JSON.parse(s) as Parts;
  return { subject: { scope, id }, metric, window: { start, end } };
}

/** The statements of one connection. */
function prepare(db: Database.Database) {
  return {
    read: db.prepare<KeyParams, CounterValue>(`SELECT used, floor FROM usage_counters WHERE ${KEY_WHERE}`),
    /** The same read bound by position (a reservation group's). */
    readAt: db.prepare<[string, string, string, number, number], CounterValue>(
      `SELECT used, floor FROM usage_counters WHERE ${KEY_AT}`,
    ),
    /** A reservation group's write of a counter it read: only if `used` is still what it read. */
    moveCounter: db.prepare<[number, number, string, string, string, number, number, number]>(
      `UPDATE usage_counters SET used = used + ?, updated_at = ? WHERE ${KEY_AT} AND used = ?`,
    ),
    /** A reservation group's first write of a counter. */
    insertCounter: db.prepare<[string, string, string, number, number, number, number]>(
      `INSERT INTO usage_counters (${KEY_COLUMNS}, used, floor, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)`,
    ),
    insertRow: db.prepare<unknown[]>(
      `INSERT INTO usage_events (${EVENT_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (event_id) DO NOTHING`,
    ),
    hasRow: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM usage_events WHERE event_id = ?"),
    deleteRow: db.prepare<[string]>("DELETE FROM usage_events WHERE event_id = ?"),
    /** Unconditional add (ingest, release): creates the counter on first use. */
    add: db.prepare(
      `INSERT INTO usage_counters (${KEY_COLUMNS}, used, floor, updated_at)
       VALUES (@scope, @subject, @metric, @start, @end, @amount, 0, @now)
       ON CONFLICT (${KEY_COLUMNS}) DO UPDATE SET used = used + excluded.used, updated_at = excluded.updated_at`,
    ),
    /**
     * A token hold's grant: one conditional upsert. A new counter is created only when the
     * amount fits; an existing one is raised only when `max(used, floor) + amount <= limit`.
     */
    reserve: db.prepare<KeyParams & { amount: number; limit: number | null; now: number }, CounterValue>(
      `INSERT INTO usage_counters (${KEY_COLUMNS}, used, floor, updated_at)
       SELECT @scope, @subject, @metric, @start, @end, @amount, 0, @now
       WHERE @limit IS NULL OR @amount <= @limit
       ON CONFLICT (${KEY_COLUMNS}) DO UPDATE SET used = used + excluded.used, updated_at = excluded.updated_at
       WHERE @limit IS NULL OR max(usage_counters.used, usage_counters.floor) + excluded.used <= @limit
       RETURNING used, floor`,
    ),
    raiseFloor: db.prepare(
      `INSERT INTO usage_counters (${KEY_COLUMNS}, used, floor, updated_at)
       VALUES (@scope, @subject, @metric, @start, @end, 0, @floor, @now)
       ON CONFLICT (${KEY_COLUMNS}) DO UPDATE SET floor = max(floor, excluded.floor), updated_at = excluded.updated_at`,
    ),
    hold: db.prepare<[string], HoldRow>("SELECT * FROM usage_holds WHERE run_id = ?"),
    openHolds: db.prepare<[], HoldRow>("SELECT * FROM usage_holds WHERE held > 0 ORDER BY created_at"),
    insertHold: db.prepare(
      `INSERT INTO usage_holds (run_id, subject_scope, subject_id, metric, period_start, period_end, held, created_at,
         instance_id)
       VALUES (@runId, @scope, @subject, @metric, @start, @end, @held, @now, @instanceId)
       ON CONFLICT (run_id) DO UPDATE SET held = held + excluded.held`,
    ),
    useHold: db.prepare("UPDATE usage_holds SET held = held - @amount WHERE run_id = @runId"),
    deleteHold: db.prepare("DELETE FROM usage_holds WHERE run_id = ?"),
    counters: db.prepare<
      [],
      { scope: string; subject: string; metric: string; start: number; end: number; used: number }
    >(
      `SELECT subject_scope AS scope, subject_id AS subject, metric, period_start AS start, period_end AS end, used
       FROM usage_counters`,
    ),
    ledgerChunk: db.prepare<
      [number, number],
      {
        rowid: number;
        scope: string;
        subject: string;
        metric: string;
        start: number;
        end: number;
        amount: number;
      }
    >(
      `SELECT rowid, subject_scope AS scope, subject_id AS subject, metric, period_start AS start,
         period_end AS end, amount
       FROM usage_events WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    ),
    ledgerSize: db.prepare<[], { n: number }>("SELECT coalesce(max(rowid), 0) AS n FROM usage_events"),
    setUsed: db.prepare(`UPDATE usage_counters SET used = @used, updated_at = @now WHERE ${KEY_WHERE}`),
    insertUsed: db.prepare(
      `INSERT INTO usage_counters (${KEY_COLUMNS}, used, floor, updated_at)
       VALUES (@scope, @subject, @metric, @start, @end, @used, 0, @now)`,
    ),
  };
}

/** Thrown inside a transaction to roll it back. */
class Rollback extends Error {}

/** A reservation waiting for its group's transaction. */
interface PendingReservation {
  row: LedgerRow & { counter: CounterKey };
  limit: number | null;
}

/** A member's statement failed: the group is rolled back and its members are retried alone. */
class MemberFailed extends Error {}

/** One counter as a group sees it: read once, then moved by each member it grants. */
interface GroupCounter {
  key: CounterKey;
  /** Whether the row exists (else the group inserts it). */
  exists: boolean;
  /** `used` as read at the group's start: the write below requires it unchanged. */
  read: number;
  used: number;
  floor: number;
  /** Some member was granted (even 0 units): the counter is written at the group's end. */
  granted: boolean;
  updatedAt: number;
}

function sameKey(a: CounterKey, b: CounterKey): boolean {
  return (
    a === b ||
    (a.metric === b.metric &&
      a.subject.id === b.subject.id &&
      a.subject.scope === b.subject.scope &&
      a.window.start === b.window.start &&
      a.window.end === b.window.end)
  );
}

/**
 * A group of reservations in one `BEGIN IMMEDIATE` transaction, each in arrival order as if
 * alone: its ledger row (a known `event_id` is a duplicate, also when an earlier member of the
 * same group recorded it), then its check against the counter; a refusal deletes the row again,
 * so an exceeded member leaves nothing behind. Like the PostgreSQL group, each counter is read
 * once, under the write lock the transaction took at `BEGIN IMMEDIATE` (no other connection
 * can write until it commits), checked for each member against the value the earlier members
 * left, and written once at the end, only if it still holds the value read — so a group costs
 * one counter read and one write instead of one conditional upsert per member. Built once per
 * store: wrapping a function in a transaction is a measurable share of a reservation.
 */
function reserveGroup(db: Database.Database, st: ReturnType<typeof prepare>) {
  const counterOf = (counters: GroupCounter[], key: CounterKey): GroupCounter => {
    for (const c of counters) if (sameKey(c.key, key)) return c;
    const v = st.readAt.get(key.subject.scope, key.subject.id, key.metric, key.window.start, key.window.end);
    const c: GroupCounter = {
      key,
      exists: v !== undefined,
      read: v?.used ?? 0,
      used: v?.used ?? 0,
      floor: v?.floor ?? 0,
      granted: false,
      updatedAt: 0,
    };
    counters.push(c);
    return c;
  };
  const one = ({ row, limit }: PendingReservation, counters: GroupCounter[]): ReserveOutcome => {
    if (st.insertRow.run(ledgerRowValues(row)).changes === 0) {
      const c = counterOf(counters, row.counter);
      return { status: "duplicate", current: { used: c.used, floor: c.floor } };
    }
    const c = counterOf(counters, row.counter);
    if (limit !== null && Math.max(c.used, c.floor) + row.amount > limit) {
      st.deleteRow.run(row.eventId);
      return { status: "exceeded", current: { used: c.used, floor: c.floor } };
    }
    const before = { used: c.used, floor: c.floor };
    c.used += row.amount;
    c.granted = true;
    c.updatedAt = row.recordedAt;
    return { status: "reserved", before };
  };
  return db.transaction((group: PendingReservation[]) => {
    const counters: GroupCounter[] = [];
    const out = group.map((p) => {
      try {
        return one(p, counters);
      } catch (err) {
        throw new MemberFailed("reservation failed", { cause: err });
      }
    });
    for (const c of counters) {
      if (!c.granted) continue;
      const k = c.key;
      const { scope, id } = k.subject;
      if (!c.exists) {
        // A concurrent insert of the same counter would violate its key: the group fails whole.
        st.insertCounter.run(scope, id, k.metric, k.window.start, k.window.end, c.used, c.updatedAt);
      } else if (
        st.moveCounter.run(
          c.used - c.read,
          c.updatedAt,
          scope,
          id,
          k.metric,
          k.window.start,
          k.window.end,
          c.read,
        ).changes === 0
      ) {
        // Unreachable while the write lock holds: fail closed rather than count on a stale value.
        throw new Error(`counter ${k.metric} of ${scope}:${id} changed during its reservation group`);
      }
    }
    return out;
  });
}

/**
 * {@link CounterStore} on better-sqlite3. Ingest, floors and settlement run on the
 * `synchronous = FULL` connection; reservations on the relaxed one (see `Store`). Each write
 * is one `BEGIN IMMEDIATE` transaction: its write lock, taken before anything is read, is what
 * makes a check and the write it allows atomic. Reservations made during one turn of the event
 * loop share a transaction (group commit, see {@link CommitGroups}): under load the commit, most
 * of a lone reservation's cost, and the counter's read and write are paid once per group.
 */
export class SqliteCounterStore implements CounterStore {
  readonly #full: ReturnType<typeof prepare>;
  readonly #fast: ReturnType<typeof prepare>;
  readonly #group: ReturnType<typeof reserveGroup>;
  readonly #reservations: CommitGroups<PendingReservation, ReserveOutcome>;

  /** `instanceId`: the instance whose runs' holds this store takes (`runtime_instances`). */
  constructor(
    private readonly store: Store,
    private readonly instanceId: string | null = null,
  ) {
    this.#full = prepare(store.sqlite);
    this.#fast = store.relaxed === store.sqlite ? this.#full : prepare(store.relaxed);
    this.#group = reserveGroup(store.relaxed, this.#fast);
    this.#reservations = new CommitGroups((group) => this.#applyGroup(group), {
      maxGroup: MAX_RESERVATION_GROUP,
      // A second turn about doubles groups at low concurrency, where the commit is most of a
      // reservation's cost (ADR runtime-007).
      turns: 2,
    });
  }

  /** Groups and members of reservations committed so far. */
  get reservationGroups(): GroupStats {
    return this.#reservations.stats;
  }

  #applyGroup(group: PendingReservation[]): Settled<ReserveOutcome>[] {
    try {
      return this.#group.immediate(group).map((value) => ({ ok: true, value }));
    } catch (err) {
      // BEGIN or COMMIT failed (e.g. the write lock stayed busy): the whole group fails.
      if (!(err instanceof MemberFailed)) throw err;
      if (group.length === 1) return [{ ok: false, error: err.cause }];
      // One member's statement failed and rolled back the group: each member again, alone, so
      // the others get the outcome they would have had without it.
      return group.flatMap((p) => this.#applyGroup([p]));
    }
  }

  async read(key: CounterKey): Promise<CounterValue> {
    return this.#full.read.get(keyParams(key)) ?? ZERO;
  }

  async record(rows: LedgerRow[]): Promise<number> {
    const st = this.#full;
    const run = this.store.sqlite.transaction(() => {
      let accepted = 0;
      // One counter update per key and batch: the new rows' amounts are summed first.
      const sums = new Map<string, { key: CounterKey; amount: number; now: number }>();
      for (const r of rows) {
        if (st.insertRow.run(ledgerRowValues(r)).changes === 0) continue;
        accepted += 1;
        if (r.counter) {
          const k = r.counter;
          const id = keyString(k.subject.scope, k.subject.id, k.metric, k.window.start, k.window.end);
          const sum = sums.get(id);
          if (sum) {
            sum.amount += r.amount;
            sum.now = Math.max(sum.now, r.recordedAt);
          } else sums.set(id, { key: k, amount: r.amount, now: r.recordedAt });
        }
        if (r.runId && r.amount > 0) this.#useHold(st, r);
      }
      for (const s of sums.values()) st.add.run({ ...keyParams(s.key), amount: s.amount, now: s.now });
      return accepted;
    });
    return run.immediate();
  }

  /** A held run's recorded usage is covered by its hold first: the counter drops by that part. */
  #useHold(st: ReturnType<typeof prepare>, r: LedgerRow): void {
    const row = st.hold.get(r.runId as string);
    if (!row || row.held <= 0 || row.metric !== r.metric) return;
    const h = toHold(row);
    const covered = Math.min(r.amount, h.held);
    st.useHold.run({ runId: h.runId, amount: covered });
    st.insertRow.run(
      ledgerRowValues(
        { ...r, eventId: `${r.eventId}.held`, kind: "token_hold_used", counter: h.counter },
        -covered,
      ),
    );
    st.add.run({ ...keyParams(h.counter), amount: -covered, now: r.recordedAt });
  }

  async reserve(row: LedgerRow & { counter: CounterKey }, limit: number | null): Promise<ReserveOutcome> {
    return this.#reservations.submit({ row, limit });
  }

  async reserveUpTo(
    row: LedgerRow & { counter: CounterKey },
    want: number,
    limit: number | null,
  ): Promise<{ granted: number; before: CounterValue }> {
    const st = this.#fast;
    const key = keyParams(row.counter);
    const run = this.store.relaxed.transaction(() => {
      const before = st.read.get(key) ?? ZERO;
      const left = limit === null ? want : limit - Math.max(before.used, before.floor);
      const granted = Math.max(0, Math.min(want, left));
      if (granted === 0) return { granted, before };
      // Guarded like any reservation, so the grant can never overshoot even if `before` were stale.
      if (!st.reserve.get({ ...key, amount: granted, limit, now: row.recordedAt })) throw new Rollback();
      st.insertRow.run(ledgerRowValues(row, granted));
      if (row.runId) {
        st.insertHold.run({
          ...key,
          runId: row.runId,
          held: granted,
          now: row.recordedAt,
          instanceId: this.instanceId,
        });
      }
      return { granted, before };
    });
    try {
      return run.immediate();
    } catch (err) {
      if (err instanceof Rollback) return { granted: 0, before: st.read.get(key) ?? ZERO };
      throw err;
    }
  }

  async release(
    row: LedgerRow & { counter: CounterKey },
    amount: number,
  ): Promise<{ delta: number; duplicate: boolean; current: CounterValue }> {
    const st = this.#fast;
    const key = keyParams(row.counter);
    const run = this.store.relaxed.transaction(() => {
      if (st.hasRow.get(row.eventId)) return { delta: 0, duplicate: true, current: st.read.get(key) ?? ZERO };
      const before = st.read.get(key) ?? ZERO;
      const delta = -Math.min(amount, Math.max(0, before.used));
      st.insertRow.run(ledgerRowValues(row, delta));
      if (delta !== 0) st.add.run({ ...key, amount: delta, now: row.recordedAt });
      return { delta, duplicate: false, current: { used: before.used + delta, floor: before.floor } };
    });
    return run.immediate();
  }

  async raiseFloor(key: CounterKey, floor: number, now: number): Promise<void> {
    this.#full.raiseFloor.run({ ...keyParams(key), floor, now });
  }

  async hold(runId: string): Promise<Hold | undefined> {
    const row = this.#full.hold.get(runId);
    return row ? toHold(row) : undefined;
  }

  async openHolds(): Promise<Hold[]> {
    return this.#full.openHolds.all().map(toHold);
  }

  async settle(runId: string, release: Omit<LedgerRow, "amount" | "counter">): Promise<number> {
    const st = this.#full;
    const run = this.store.sqlite.transaction(() => {
      const row = st.hold.get(runId);
      if (!row) return 0;
      const h = toHold(row);
      if (h.held > 0) {
        st.insertRow.run(ledgerRowValues({ ...release, amount: -h.held, counter: h.counter }));
        st.add.run({ ...keyParams(h.counter), amount: -h.held, now: release.recordedAt });
      }
      st.deleteHold.run(runId);
      return h.held;
    });
    return run.immediate();
  }

  /** Sums of the ledger per counter key, read in chunks of {@link SCAN_CHUNK} rows. */
  #ledgerSums(st: ReturnType<typeof prepare>, progress?: ScanProgress): Map<string, number> {
    const sums = new Map<string, number>();
    const total = st.ledgerSize.get()?.n ?? 0;
    let after = 0;
    let scanned = 0;
    for (;;) {
      const rows = st.ledgerChunk.all(after, SCAN_CHUNK);
      if (rows.length === 0) break;
      for (const r of rows) {
        if (r.scope === null) continue;
        const k = keyString(r.scope, r.subject, r.metric, r.start, r.end);
        sums.set(k, (sums.get(k) ?? 0) + r.amount);
      }
      scanned += rows.length;
      after = (rows.at(-1) as { rowid: number }).rowid;
      progress?.(scanned, total);
    }
    return sums;
  }

  #drift(st: ReturnType<typeof prepare>, progress?: ScanProgress): CounterDrift[] {
    const sums = this.#ledgerSums(st, progress);
    const out: CounterDrift[] = [];
    for (const c of st.counters.all()) {
      const k = keyString(c.scope, c.subject, c.metric, c.start, c.end);
      const ledger = sums.get(k) ?? 0;
      sums.delete(k);
      if (ledger !== c.used) out.push({ key: parseKey(k), counter: c.used, ledger });
    }
    for (const [k, ledger] of sums) if (ledger !== 0) out.push({ key: parseKey(k), counter: 0, ledger });
    return out;
  }

  async drift(progress?: ScanProgress): Promise<CounterDrift[]> {
    // One read transaction: the counters and the ledger are compared at the same snapshot.
    return this.store.sqlite.transaction(() => this.#drift(this.#full, progress)).deferred();
  }

  async rebuild(progress?: ScanProgress): Promise<CounterDrift[]> {
    const st = this.#full;
    const now = Date.now();
    const run = this.store.sqlite.transaction(() => {
      const drift = this.#drift(st, progress);
      for (const d of drift) {
        const p = { ...keyParams(d.key), used: d.ledger, now };
        if (st.setUsed.run(p).changes === 0) st.insertUsed.run(p);
      }
      return drift;
    });
    return run.immediate();
  }
}
