import type pg from "pg";
import type { PgStore } from "../../store/postgres.js";
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
} from "./counters.js";

const KEY_WHERE =
  "subject_scope = $1 AND subject_id = $2 AND metric = $3 AND period_start = $4 AND period_end = $5";
/** Placeholders of {@link EVENT_COLUMNS} from `$n`, typed so PostgreSQL never has to guess. */
function eventValues(n: number): string {
  const types = ["text", "text", "text", "text", "bigint", "bigint", "text", "text", "text", "text"];
  types.push("bigint", "bigint", "text", "bigint", "text", "text", "bigint", "bigint");
  return types.map((t, i) => `$${n + i}::${t}`).join(", ");
}

/** Errors after which the whole transaction is simply tried again. */
const RETRYABLE = new Set(["40001", "40P01"]);

type Key = [string, string, string, number, number];

function keyOf(k: CounterKey): Key {
  return [k.subject.scope, k.subject.id, k.metric, k.window.start, k.window.end];
}

/**
 * Groups whose statement may be pending at once; later reservations wait for the next group.
 * Fewer in flight makes groups larger (1 or 2 did ~5% better than 4 under load); two, so that a
 * group waiting on a locked counter does not hold up every other reservation of the instance.
 */
const GROUPS_IN_FLIGHT = 2;

/** The arrays {@link RESERVE_GROUP} takes: the ledger rows' columns, each member's limit and counter. */
const GROUP_ARRAY_TYPES = [
  ...["text", "text", "text", "text", "bigint", "bigint", "text", "text", "text", "text"],
  ...["bigint", "bigint", "text", "bigint", "text", "text", "bigint", "bigint", "bigint", "int"],
  // The group's counters, each once: key columns and the latest time a member was recorded at.
  ...["text", "text", "text", "bigint", "bigint", "bigint"],
];

/**
 * A group of reservations in one statement, so one round trip and one commit: a function in
 * the session's own temporary schema (created on each connection's first group, nothing to
 * migrate). It locks the group's counters in key order (creating missing ones at zero), so
 * concurrent groups never wait on each other in a cycle, and so it holds their latest committed
 * values, exact across connections and instances. Then each member, in arrival order, as if
 * alone: its ledger row (a known `event_id`, committed before or recorded by an earlier member,
 * is a duplicate), then the check `greatest(used, floor) + amount <= limit` on the locked
 * counter; a refusal deletes the row again. Each counter is written once for the whole group
 * (one row version, not one per member).
 */
const RESERVE_GROUP_FUNCTION = `CREATE OR REPLACE FUNCTION pg_temp.mozaiks_reserve_group(
    ev text[], app text[], usr text[], met text[], amt bigint[], occ bigint[], knd text[], wf text[],
    rn text[], mdl text[], itk bigint[], otk bigint[], bat text[], rec bigint[], scp text[], sub text[],
    pst bigint[], pen bigint[], lim bigint[], kx int[],
    ks text[], kid text[], km text[], kps bigint[], kpe bigint[], kat bigint[])
  RETURNS TABLE (out_status text, out_used bigint, out_floor bigint)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    k record;
    j int;
    added int;
    u bigint;
    f bigint;
    cur_used bigint[];
    cur_floor bigint[];
    moved bigint[];
  BEGIN
    FOR k IN
      SELECT * FROM unnest(ks, kid, km, kps, kpe, kat) WITH ORDINALITY AS t(s, id, m, ps, pe, at, n)
      ORDER BY s, id, m, ps, pe
    LOOP
      INSERT INTO usage_counters (${KEY_COLUMNS}, used, floor, updated_at)
        VALUES (k.s, k.id, k.m, k.ps, k.pe, 0, 0, k.at) ON CONFLICT (${KEY_COLUMNS}) DO NOTHING;
      SELECT c.used, c.floor INTO u, f FROM usage_counters c
        WHERE (${KEY_COLUMNS}) = (k.s, k.id, k.m, k.ps, k.pe) FOR UPDATE;
      cur_used[k.n] := u;
      cur_floor[k.n] := f;
      moved[k.n] := 0;
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(ev, 1), 0) LOOP
      j := kx[i];
      INSERT INTO usage_events (${EVENT_COLUMNS})
        VALUES (ev[i], app[i], usr[i], met[i], amt[i], occ[i], knd[i], wf[i], rn[i], mdl[i], itk[i], otk[i],
          bat[i], rec[i], scp[i], sub[i], pst[i], pen[i])
        ON CONFLICT (event_id) DO NOTHING;
      GET DIAGNOSTICS added = ROW_COUNT;
      out_used := cur_used[j];
      out_floor := cur_floor[j];
      IF added = 0 THEN
        -- A retry of a reservation made earlier is a duplicate, even when nothing is left now.
        out_status := 'duplicate';
      ELSIF lim[i] IS NULL OR greatest(cur_used[j], cur_floor[j]) + amt[i] <= lim[i] THEN
        out_status := 'reserved';
        cur_used[j] := cur_used[j] + amt[i];
        moved[j] := moved[j] + amt[i];
      ELSE
        DELETE FROM usage_events WHERE event_id = ev[i];
        out_status := 'exceeded';
      END IF;
      RETURN NEXT;
    END LOOP;
    FOR j IN 1 .. coalesce(array_length(ks, 1), 0) LOOP
      IF moved[j] <> 0 THEN
        UPDATE usage_counters SET used = used + moved[j], updated_at = kat[j]
          WHERE (${KEY_COLUMNS}) = (ks[j], kid[j], km[j], kps[j], kpe[j]);
      END IF;
    END LOOP;
  END
  $fn$`;

const RESERVE_GROUP = `SELECT r.status, r.used, r.floor
  FROM pg_temp.mozaiks_reserve_group(${GROUP_ARRAY_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(", ")})
    WITH ORDINALITY AS r(status, used, floor, n)
  ORDER BY r.n`;

/** A reservation waiting for its group. */
interface PendingReservation {
  row: LedgerRow & { counter: CounterKey };
  limit: number | null;
}

/** Unconditional add to a counter (ingest, release, settlement); creates it on first use. */
const ADD = `INSERT INTO usage_counters (${KEY_COLUMNS}, used, floor, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, 0, $7)
  ON CONFLICT (${KEY_COLUMNS}) DO UPDATE
    SET used = usage_counters.used + excluded.used, updated_at = excluded.updated_at`;

const INSERT_EVENT = `INSERT INTO usage_events (${EVENT_COLUMNS}) VALUES (${eventValues(1)})
  ON CONFLICT (event_id) DO NOTHING`;

/**
 * An ingest batch in one statement: new rows are inserted (a known `event_id` is skipped, and
 * only inserted rows are summed), their counters raised by the batch's sums per key, and the
 * rows of held runs returned so their holds can be drawn on. Rows and counters are written in
 * key order, so concurrent overlapping batches wait on each other instead of deadlocking.
 */
const INGEST = `WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
      $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::text[],
      $14::bigint[], $15::text[], $16::text[], $17::bigint[], $18::bigint[])
      AS t(${EVENT_COLUMNS})
  ), ins AS (
    INSERT INTO usage_events (${EVENT_COLUMNS})
    SELECT ${EVENT_COLUMNS} FROM input ORDER BY event_id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id, run_id, metric, amount
      , subject_scope, subject_id, period_start, period_end, recorded_at
  ), sums AS (
    SELECT ${KEY_COLUMNS}, sum(amount)::bigint AS amount, max(recorded_at) AS now
    FROM ins WHERE subject_scope IS NOT NULL
    GROUP BY ${KEY_COLUMNS}
  ), up AS (
    INSERT INTO usage_counters (${KEY_COLUMNS}, used, floor, updated_at)
    SELECT ${KEY_COLUMNS}, amount, 0, now FROM sums ORDER BY ${KEY_COLUMNS}
    ON CONFLICT (${KEY_COLUMNS}) DO UPDATE
      SET used = usage_counters.used + excluded.used, updated_at = excluded.updated_at
  )
  SELECT (SELECT count(*) FROM ins) AS accepted,
    (SELECT coalesce(json_agg(json_build_object('event_id', event_id, 'amount', amount) ORDER BY event_id), '[]')
       FROM ins WHERE run_id IS NOT NULL AND amount > 0) AS held`;

/** The ledger's sum per counter key next to the counter itself, where the two differ. */
const DRIFT = `WITH ledger AS (
    SELECT ${KEY_COLUMNS}, sum(amount)::bigint AS amount FROM usage_events
    WHERE subject_scope IS NOT NULL GROUP BY ${KEY_COLUMNS}
  )
  SELECT coalesce(c.subject_scope, l.subject_scope) AS scope, coalesce(c.subject_id, l.subject_id) AS subject,
    coalesce(c.metric, l.metric) AS metric, coalesce(c.period_start, l.period_start) AS start,
    coalesce(c.period_end, l.period_end) AS "end", coalesce(c.used, 0) AS counter, coalesce(l.amount, 0) AS ledger
  FROM usage_counters c FULL JOIN ledger l USING (${KEY_COLUMNS})
  WHERE coalesce(c.used, 0) <> coalesce(l.amount, 0)
  ORDER BY 1, 2, 3, 4, 5`;

type Client = pg.PoolClient;

/** A transaction on one pooled connection; deadlocks and serialization failures are retried. */
async function transaction<T>(pool: pg.Pool, fn: (c: Client) => Promise<T>, begin = "BEGIN"): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query(begin);
      const out = await fn(client);
      await client.query("COMMIT");
      return out;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      if (attempt < 5 && RETRYABLE.has((err as { code?: string }).code ?? "")) continue;
      throw err;
    } finally {
      client.release();
    }
  }
}

/** Sessions of the relaxed pool that hold the reservation group function. */
const withGroupFunction = new WeakSet<pg.PoolClient>();

/** Thrown inside a transaction to roll it back. */
class Rollback extends Error {}

/** `p`'s result, or undefined when it threw {@link Rollback}. */
async function rolledBack<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof Rollback) return undefined;
    throw err;
  }
}

/**
 * {@link CounterStore} on PostgreSQL (the twin of `SqliteCounterStore`). A reservation is one
 * statement (one round trip); ingest is one statement per batch (plus the holds of held runs);
 * gauges, holds and settlement lock the counter row (`FOR UPDATE`) in a short transaction.
 */
export class PgCounterStore implements CounterStore {
  readonly #pool: pg.Pool;
  readonly #store: PgStore;
  readonly #reservations = new CommitGroups<PendingReservation, ReserveOutcome>(
    (group) => this.#applyGroup(group),
    { maxGroup: MAX_RESERVATION_GROUP, maxInFlight: GROUPS_IN_FLIGHT },
  );

  /** `instanceId`: the instance whose runs' holds this store takes (`runtime_instances`). */
  constructor(
    store: PgStore,
    private readonly instanceId: string | null = null,
  ) {
    this.#pool = store.pool;
    this.#store = store;
  }

  async #read(q: pg.Pool | Client, key: CounterKey, lock = ""): Promise<CounterValue | undefined> {
    const r = await q.query<CounterValue>(
      `SELECT used, floor FROM usage_counters WHERE ${KEY_WHERE}${lock}`,
      [...keyOf(key)],
    );
    return r.rows[0];
  }

  async read(key: CounterKey): Promise<CounterValue> {
    return (await this.#read(this.#pool, key)) ?? ZERO;
  }

  async record(rows: LedgerRow[]): Promise<number> {
    // The first of several rows with one event_id is the one recorded (as on SQLite).
    const seen = new Set<string>();
    const unique = rows.filter((r) => !seen.has(r.eventId) && seen.add(r.eventId));
    if (unique.length === 0) return 0;
    const columns = Array.from({ length: 18 }, () => [] as unknown[]);
    for (const r of unique) {
      const values = ledgerRowValues(r);
      for (let i = 0; i < values.length; i++) columns[i]?.push(values[i]);
    }
    const byId = new Map(unique.map((r) => [r.eventId, r]));
    const run = async (q: pg.Pool | Client) => {
      const res = await q.query<{ accepted: number; held: Array<{ event_id: string }> }>(INGEST, columns);
      const out = res.rows[0] as { accepted: number; held: Array<{ event_id: string }> };
      return { accepted: Number(out.accepted), held: out.held.map((h) => byId.get(h.event_id) as LedgerRow) };
    };
    if (!unique.some((r) => r.runId && r.amount > 0)) return (await run(this.#pool)).accepted;
    return transaction(this.#pool, async (c) => {
      const { accepted, held } = await run(c);
      for (const r of held) await this.#useHold(c, r);
      return accepted;
    });
  }

  /** A held run's recorded usage is covered by its hold first: the counter drops by that part. */
  async #useHold(c: Client, r: LedgerRow): Promise<void> {
    const row = (await c.query<HoldRow>("SELECT * FROM usage_holds WHERE run_id = $1 FOR UPDATE", [r.runId]))
      .rows[0];
    if (!row || row.held <= 0 || row.metric !== r.metric) return;
    const h = toHold(row);
    const covered = Math.min(r.amount, h.held);
    await c.query("UPDATE usage_holds SET held = held - $2 WHERE run_id = $1", [h.runId, covered]);
    await c.query(
      INSERT_EVENT,
      ledgerRowValues(
        { ...r, eventId: `${r.eventId}.held`, kind: "token_hold_used", counter: h.counter },
        -covered,
      ),
    );
    await c.query(ADD, [...keyOf(h.counter), -covered, r.recordedAt]);
  }

  async reserve(row: LedgerRow & { counter: CounterKey }, limit: number | null): Promise<ReserveOutcome> {
    return this.#reservations.submit({ row, limit });
  }

  /** Groups and members of reservations committed so far. */
  get reservationGroups(): GroupStats {
    return this.#reservations.stats;
  }

  async #applyGroup(group: PendingReservation[]): Promise<Settled<ReserveOutcome>[]> {
    try {
      return (await this.#reserveGroup(group)).map((value) => ({ ok: true, value }));
    } catch (err) {
      if (group.length === 1) return [{ ok: false, error: err }];
      // The statement failed as a whole (nothing of it was committed): each member again, alone
      // and in order, so the others get the outcome they would have had without the failing one.
      const out: Settled<ReserveOutcome>[] = [];
      for (const p of group) out.push(...(await this.#applyGroup([p])));
      return out;
    }
  }

  /** One statement for the whole group, on a relaxed-commit session (see `PgStore`). */
  async #reserveGroup(group: PendingReservation[]): Promise<ReserveOutcome[]> {
    const members = Array.from({ length: 20 }, () => [] as unknown[]);
    // Each member's counter, numbered 1… in the order they first appear.
    const counters = new Map<string, { n: number; key: Key; at: number }>();
    for (const { row, limit } of group) {
      const key = keyOf(row.counter);
      const id = JSON.stringify(key);
      let c = counters.get(id);
      if (!c) {
        c = { n: counters.size + 1, key, at: row.recordedAt };
        counters.set(id, c);
      }
      c.at = Math.max(c.at, row.recordedAt);
      const values = [...ledgerRowValues(row), limit, c.n];
      for (let i = 0; i < values.length; i++) members[i]?.push(values[i]);
    }
    const keys = Array.from({ length: 6 }, () => [] as unknown[]);
    for (const c of counters.values()) {
      [...c.key, c.at].forEach((v, i) => {
        keys[i]?.push(v);
      });
    }
    const client = await this.#store.relaxedPool().connect();
    try {
      if (!withGroupFunction.has(client)) {
        await client.query(RESERVE_GROUP_FUNCTION);
        withGroupFunction.add(client);
      }
      const r = await client.query<{ status: ReserveOutcome["status"]; used: number; floor: number }>({
        name: "mozaiks_reserve_group",
        text: RESERVE_GROUP,
        values: [...members, ...keys],
      });
      return r.rows.map((o): ReserveOutcome => {
        const value = { used: o.used, floor: o.floor };
        return o.status === "reserved"
          ? { status: o.status, before: value }
          : { status: o.status, current: value };
      });
    } finally {
      client.release();
    }
  }

  /** Locks the counter row of `key` (creating it at zero), so a read-then-write is exact. */
  async #lock(c: Client, key: CounterKey, now: number): Promise<CounterValue> {
    await c.query(
      `INSERT INTO usage_counters (${KEY_COLUMNS}, used, floor, updated_at) VALUES ($1, $2, $3, $4, $5, 0, 0, $6)
       ON CONFLICT (${KEY_COLUMNS}) DO NOTHING`,
      [...keyOf(key), now],
    );
    return (await this.#read(c, key, " FOR UPDATE")) as CounterValue;
  }

  async reserveUpTo(
    row: LedgerRow & { counter: CounterKey },
    want: number,
    limit: number | null,
  ): Promise<{ granted: number; before: CounterValue }> {
    return transaction(this.#pool, async (c) => {
      const before = await this.#lock(c, row.counter, row.recordedAt);
      const left = limit === null ? want : limit - Math.max(before.used, before.floor);
      const granted = Math.max(0, Math.min(want, left));
      if (granted === 0) return { granted, before };
      await c.query(ADD, [...keyOf(row.counter), granted, row.recordedAt]);
      await c.query(INSERT_EVENT, ledgerRowValues(row, granted));
      if (row.runId) {
        await c.query(
          `INSERT INTO usage_holds (run_id, ${KEY_COLUMNS}, held, created_at, instance_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (run_id) DO UPDATE SET held = usage_holds.held + excluded.held`,
          [row.runId, ...keyOf(row.counter), granted, row.recordedAt, this.instanceId],
        );
      }
      return { granted, before };
    });
  }

  async release(
    row: LedgerRow & { counter: CounterKey },
    amount: number,
  ): Promise<{ delta: number; duplicate: boolean; current: CounterValue }> {
    const out = await rolledBack(
      transaction(this.#pool, async (c) => {
        const before = (await this.#read(c, row.counter, " FOR UPDATE")) ?? ZERO;
        const delta = -Math.min(amount, Math.max(0, before.used));
        const ins = await c.query(INSERT_EVENT, ledgerRowValues(row, delta));
        if (ins.rowCount === 0) throw new Rollback();
        if (delta !== 0) await c.query(ADD, [...keyOf(row.counter), delta, row.recordedAt]);
        return { delta, duplicate: false, current: { used: before.used + delta, floor: before.floor } };
      }),
    );
    return out ?? { delta: 0, duplicate: true, current: await this.read(row.counter) };
  }

  async raiseFloor(key: CounterKey, floor: number, now: number): Promise<void> {
    await this.#pool.query(
      `INSERT INTO usage_counters (${KEY_COLUMNS}, used, floor, updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7)
       ON CONFLICT (${KEY_COLUMNS}) DO UPDATE
         SET floor = greatest(usage_counters.floor, excluded.floor), updated_at = excluded.updated_at`,
      [...keyOf(key), floor, now],
    );
  }

  async hold(runId: string): Promise<Hold | undefined> {
    const r = await this.#pool.query<HoldRow>("SELECT * FROM usage_holds WHERE run_id = $1", [runId]);
    return r.rows[0] ? toHold(r.rows[0]) : undefined;
  }

  async openHolds(): Promise<Hold[]> {
    const r = await this.#pool.query<HoldRow>("SELECT * FROM usage_holds WHERE held > 0 ORDER BY created_at");
    return r.rows.map(toHold);
  }

  async settle(runId: string, release: Omit<LedgerRow, "amount" | "counter">): Promise<number> {
    return transaction(this.#pool, async (c) => {
      // Deleting the hold is the claim: of two instances settling one run, one gets the row.
      const row = (await c.query<HoldRow>("DELETE FROM usage_holds WHERE run_id = $1 RETURNING *", [runId]))
        .rows[0];
      if (!row) return 0;
      const h = toHold(row);
      if (h.held > 0) {
        const ins = await c.query(
          INSERT_EVENT,
          ledgerRowValues({ ...release, amount: -h.held, counter: h.counter }),
        );
        if (ins.rowCount === 1) await c.query(ADD, [...keyOf(h.counter), -h.held, release.recordedAt]);
      }
      return h.held;
    });
  }

  async #drift(q: pg.Pool | Client, progress?: ScanProgress): Promise<CounterDrift[]> {
    // PostgreSQL sums the ledger itself in one pass; progress is reported before and after it.
    const total = Number(
      (await q.query<{ n: number }>("SELECT count(*) AS n FROM usage_events")).rows[0]?.n ?? 0,
    );
    progress?.(0, total);
    const r = await q.query<{
      scope: "app" | "user";
      subject: string;
      metric: string;
      start: number;
      end: number;
      counter: number;
      ledger: number;
    }>(DRIFT);
    progress?.(total, total);
    return r.rows.map((d) => ({
      key: {
        subject: { scope: d.scope, id: d.subject },
        metric: d.metric,
        window: { start: d.start, end: d.end },
      },
      counter: Number(d.counter),
      ledger: Number(d.ledger),
    }));
  }

  async drift(progress?: ScanProgress): Promise<CounterDrift[]> {
    // One snapshot for the counters and the ledger they are compared with.
    return transaction(this.#pool, (c) => this.#drift(c, progress), "BEGIN ISOLATION LEVEL REPEATABLE READ");
  }

  async rebuild(progress?: ScanProgress): Promise<CounterDrift[]> {
    const now = Date.now();
    return transaction(this.#pool, async (c) => {
      // Writers of the ledger and the counters wait until the rebuild commits (readers do not).
      await c.query("LOCK TABLE usage_events, usage_counters IN EXCLUSIVE MODE");
      const drift = await this.#drift(c, progress);
      for (const d of drift) {
        await c.query(
          `INSERT INTO usage_counters (${KEY_COLUMNS}, used, floor, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)
           ON CONFLICT (${KEY_COLUMNS}) DO UPDATE SET used = excluded.used, updated_at = excluded.updated_at`,
          [...keyOf(d.key), d.ledger, now],
        );
      }
      return drift;
    });
  }
}
