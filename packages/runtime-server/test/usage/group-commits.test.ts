import { describe, expect, it } from "vitest";
import {
  type CounterKey,
  type CounterStore,
  type LedgerRow,
  MAX_RESERVATION_GROUP,
  type ReserveOutcome,
} from "../../src/control/usage/counters.js";
import { counterStoreFor } from "../../src/control/usage/counters-store.js";
import { openStore } from "../../src/store/db.js";
import type { RuntimeStore } from "../../src/store/open.js";
import { drivers } from "../helpers/drivers.js";

const DAY = { start: Date.parse("2026-03-15T00:00:00Z"), end: Date.parse("2026-03-16T00:00:00Z") };
const NOW = Date.parse("2026-03-15T12:00:00Z");

function key(subject: string, metric = "cap.limit.exports_daily"): CounterKey {
  return { subject: { scope: "user", id: subject }, metric, window: DAY };
}

function row(eventId: string, counter: CounterKey, amount: number): LedgerRow & { counter: CounterKey } {
  return {
    eventId,
    appId: "example-app",
    userId: counter.subject.id,
    metric: counter.metric,
    amount,
    occurredAt: NOW,
    kind: "test",
    workflowId: null,
    runId: null,
    model: null,
    inputTokens: null,
    outputTokens: null,
    batchId: null,
    recordedAt: NOW,
    counter,
  };
}

type Ask = { row: LedgerRow & { counter: CounterKey }; limit: number | null };

const A = key("alice");
const B = key("bob");
/** Duplicates inside the group and of earlier members, refusals between grants, two counters. */
const SCENARIO: Ask[] = [
  { row: row("e1", A, 2), limit: 5 },
  { row: row("e1", A, 2), limit: 5 }, // duplicate of the member just before
  { row: row("e2", A, 4), limit: 5 }, // 2 + 4 > 5: exceeded, leaves no row
  { row: row("e3", B, 3), limit: 2 }, // more than the limit on a new counter
  { row: row("e2", A, 3), limit: 5 }, // e2 was refused, so this is new: 2 + 3 = 5
  { row: row("e4", B, 2), limit: 2 },
  { row: row("e5", A, 1), limit: 5 }, // nothing left
  { row: row("e5", A, 1), limit: null }, // e5 was refused; unlimited now
  { row: row("e1", B, 1), limit: null }, // e1 is known, whatever its counter
];

async function ledgerOf(store: RuntimeStore) {
  const rows = await store.sql.all<{ event_id: string; amount: number }>(
    "SELECT event_id, amount FROM usage_events ORDER BY event_id",
  );
  return rows.map((r) => ({ event_id: r.event_id, amount: Number(r.amount) }));
}

describe.each(drivers)("reservations committed in groups ($name)", (driver) => {
  it("gives each reservation of one turn the outcome it would have had alone, in arrival order", async () => {
    const alone = await driver.scratch();
    const oneByOne = counterStoreFor(alone);
    const expected: ReserveOutcome[] = [];
    for (const a of SCENARIO) expected.push(await oneByOne.reserve(a.row, a.limit));
    expect(oneByOne.reservationGroups).toMatchObject({ groups: SCENARIO.length, largest: 1 });

    const together = await driver.scratch();
    const grouped = counterStoreFor(together);
    const outcomes = await Promise.all(SCENARIO.map((a) => grouped.reserve(a.row, a.limit)));
    expect(grouped.reservationGroups).toEqual({
      groups: 1,
      members: SCENARIO.length,
      largest: SCENARIO.length,
    });

    expect(outcomes).toEqual(expected);
    expect(outcomes.map((o) => o.status)).toEqual([
      "reserved",
      "duplicate",
      "exceeded",
      "exceeded",
      "reserved",
      "reserved",
      "exceeded",
      "reserved",
      "duplicate",
    ]);
    expect(await grouped.read(A)).toEqual({ used: 6, floor: 0 });
    expect(await grouped.read(B)).toEqual({ used: 2, floor: 0 });
    expect(await ledgerOf(together)).toEqual(await ledgerOf(alone));
    expect(await ledgerOf(together)).toEqual([
      { event_id: "e1", amount: 2 },
      { event_id: "e2", amount: 3 },
      { event_id: "e4", amount: 2 },
      { event_id: "e5", amount: 1 },
    ]);
    expect(await grouped.drift()).toEqual([]);
    await alone.close();
    await together.close();
  });

  it("refuses a member whose statement fails alone; the rest of its group is recorded in order", async () => {
    const store = await driver.scratch();
    const counters = counterStoreFor(store);
    const C = key("carol");
    // A NULL user_id violates the ledger's NOT NULL constraint on both engines.
    const broken = { ...row("bad", C, 1), userId: null as unknown as string };
    const outcomes = await Promise.allSettled([
      counters.reserve(row("c1", C, 1), 2),
      counters.reserve(broken, 2),
      counters.reserve(row("c2", C, 1), 2),
      counters.reserve(row("c3", C, 1), 2),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value.status : "error"))).toEqual([
      "reserved",
      "error",
      "reserved",
      "exceeded",
    ]);
    expect(await counters.read(C)).toEqual({ used: 2, floor: 0 });
    expect((await ledgerOf(store)).map((r) => r.event_id)).toEqual(["c1", "c2"]);
    await store.close();
  });

  it("answers a member only once its whole group is committed (visible to another connection)", async () => {
    const db = await driver.database();
    const store = await driver.open(db);
    const observer = await driver.open(db);
    const counters = counterStoreFor(store);
    const D = key("dave");
    const seen: number[] = [];
    const read = async () =>
      Number(
        (
          await observer.sql.get<{ used: number }>(
            "SELECT used FROM usage_counters WHERE subject_id = ? AND metric = ?",
            [D.subject.id, D.metric],
          )
        )?.used ?? 0,
      );
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        counters.reserve(row(`d${i}`, D, 1), null).then(async () => {
          seen.push(await read());
        }),
      ),
    );
    expect(counters.reservationGroups.groups).toBe(1);
    expect(seen).toEqual(Array.from({ length: 10 }, () => 10));
    await observer.close();
    await store.close();
  });

  it(`commits at most ${MAX_RESERVATION_GROUP} reservations per group`, async () => {
    const store = await driver.scratch();
    const counters: CounterStore = counterStoreFor(store);
    const E = key("erin");
    const n = 2 * MAX_RESERVATION_GROUP + 22;
    const outcomes = await Promise.all(
      Array.from({ length: n }, (_, i) => counters.reserve(row(`x${i}`, E, 1), n)),
    );
    expect(outcomes.every((o) => o.status === "reserved")).toBe(true);
    expect(counters.reservationGroups).toEqual({ groups: 3, members: n, largest: MAX_RESERVATION_GROUP });
    expect(await counters.read(E)).toEqual({ used: n, floor: 0 });
    await store.close();
  });
});

describe("reservation groups on SQLite", () => {
  it("read and write each counter once per group, whatever the number of members", async () => {
    const store = openStore(":memory:");
    const counters = counterStoreFor(store);
    const F = key("frank");
    const G = key("grace");
    // Rows changed by the connection reservations are written on (one ledger row per granted member).
    const changes = () => (store.relaxed.prepare("SELECT total_changes() AS n").get() as { n: number }).n;
    const before = changes();
    const outcomes = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => counters.reserve(row(`f${i}`, F, 1), 10)),
      ...Array.from({ length: 5 }, (_, i) => counters.reserve(row(`g${i}`, G, 2), null)),
    ]);
    expect(counters.reservationGroups.groups).toBe(1);
    expect(outcomes.filter((o) => o.status === "reserved")).toHaveLength(15);
    // 15 ledger rows, 2 refused rows inserted and deleted again, one write per counter.
    expect(changes() - before).toBe(15 + 2 * 2 + 2);
    expect(await counters.read(F)).toEqual({ used: 10, floor: 0 });
    expect(await counters.read(G)).toEqual({ used: 10, floor: 0 });
    expect(await counters.drift()).toEqual([]);
    store.close();
  });
});
