// Usage-ledger bench: one limit reservation (app- and user-scoped) and GET /api/entitlements,
// with an empty ledger and with 1,000,000 events in the current period, in one run; the ratio
// 1M/empty shows whether a check costs the same at any ledger size. Written to
// bench/results/runtime-server-ledger.json at the repository root.
// Usage: pnpm bench:ledger (BENCH_LEDGER_EVENTS overrides the 1,000,000).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteCounterStore } from "../src/control/usage/counters-sqlite.js";
import { openStore } from "../src/store/db.js";
import { APP_ID, host, loadAverage, PLUGIN_CALLS, TOKENS, writeResult } from "./harness.js";
import { DAY, ledgerProbe, ledgerRuntime, MONTH, NOW, ratiosOver } from "./ledger-latency.js";

const EVENTS = Number(process.env.BENCH_LEDGER_EVENTS ?? 1_000_000);

const tmp = mkdtempSync(join(tmpdir(), "mozaiks-ledger-bench-"));
const path = join(tmp, "runtime.db");
const store = openStore(path);
const app = await ledgerRuntime(store, [], { MOZAIKS_DB_PATH: path });
const measure = await ledgerProbe(app);

/**
 * `EVENTS` ledger rows in the current windows (90% app-scoped plugin calls by 1,000 users, 10%
 * tokens of the user-scoped `vip`), inserted in batched transactions, then their counters set
 * from the ledger exactly as `mozaiks-runtime counters rebuild` would.
 */
function seed(): { seconds: number } {
  const started = Date.now();
  const t = Date.parse(NOW);
  const insert = store.sqlite.prepare(
    `INSERT INTO usage_events (event_id, app_id, user_id, metric, amount, occurred_at, kind, recorded_at,
       subject_scope, subject_id, period_start, period_end) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const batch = store.sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      if (i % 10 === 0) {
        insert.run(
          `seed-${i}`,
          APP_ID,
          "vip",
          TOKENS,
          t,
          "chat.usage_delta",
          t,
          "user",
          "vip",
          MONTH.start,
          MONTH.end,
        );
      } else {
        insert.run(
          `seed-${i}`,
          APP_ID,
          `u${i % 1000}`,
          PLUGIN_CALLS,
          t,
          "plugin_call",
          t,
          "app",
          APP_ID,
          DAY.start,
          DAY.end,
        );
      }
    }
  });
  for (let i = 0; i < EVENTS; i += 50_000) batch(i, Math.min(EVENTS, i + 50_000));
  return { seconds: (Date.now() - started) / 1000 };
}

/**
 * Copies the WAL into the database file before a measurement. A bulk seed leaves hundreds of MB
 * of WAL that the background checkpointer would copy during the measurement; a database that
 * reached a million events in service has a WAL kept short all along. Done before both
 * measurements, so they start from the same state.
 */
function settle(): void {
  store.sqlite.pragma("wal_checkpoint(TRUNCATE)");
}

const loadStart = loadAverage();
settle();
const empty = await measure();
const seeded = seed();
const rebuild = Date.now();
const repaired = await new SqliteCounterStore(store).rebuild();
const rebuildSeconds = (Date.now() - rebuild) / 1000;
settle();
const full = await measure();

const result = {
  bench: "runtime-server usage ledger",
  command: "pnpm --filter @mozaiks/runtime-server bench:ledger",
  date: new Date().toISOString(),
  machine: host(),
  load_average_at_start: loadStart,
  load_average_at_end: loadAverage(),
  ledger_events_seeded: EVENTS,
  seed_seconds: seeded.seconds,
  counters_rebuild: { seconds: rebuildSeconds, counters_rewritten: repaired.length },
  empty,
  with_events: full,
  ratio_1m_over_empty: ratiosOver(empty, full),
  note: "reservations are in-process calls of UsageLedger.reserve (one ledger row and a conditional counter write, committed as a group of one, SQLite WAL, synchronous=NORMAL); entitlements_get is app.request() through the hono app (auth, state, one counter read per limit). The WAL is checkpointed before each measurement (the seed's bulk WAL is not left to the background checkpointer during the 1M measurement).",
};
await app.runtime.close();
rmSync(tmp, { recursive: true, force: true });
writeResult("runtime-server-ledger.json", result, {
  empty,
  with_events: full,
  ratio: result.ratio_1m_over_empty,
});
