// Usage-ledger bench: one limit reservation (app- and user-scoped) and GET /api/entitlements,
// with an empty ledger and with 1,000,000 events in the current period, in one run; the ratio
// 1M/empty shows whether a check costs the same at any ledger size. Written to
// bench/results/runtime-server-ledger.json at the repository root.
// Usage: pnpm bench:ledger (BENCH_LEDGER_EVENTS overrides the 1,000,000).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { createRuntimeApp } from "../src/app.js";
import { frozenClock } from "../src/clock.js";
import { loadConfig } from "../src/config.js";
import { userAuthKeysFromConfig } from "../src/control/auth/keys.js";
import { SqliteCounterStore } from "../src/control/usage/counters-sqlite.js";
import { createLogger } from "../src/logger.js";
import { openStore } from "../src/store/db.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const EVENTS = Number(process.env.BENCH_LEDGER_EVENTS ?? 1_000_000);
const SECRET = "bench-hs256-secret-0123456789abcdef-0123456789";
const INTERNAL = "bench-internal-key-0123456789";
const APP_ID = "bench-app";
const NOW = "2026-03-15T12:00:00Z";
const PLUGIN_CALLS = "cap.limit.plugin_calls_daily";
const TOKENS = "cap.limit.tokens_monthly";

const tmp = mkdtempSync(join(tmpdir(), "mozaiks-ledger-bench-"));
const path = join(tmp, "runtime.db");
const config = loadConfig({
  MOZAIKS_APP_ID: APP_ID,
  MOZAIKS_DB_PATH: path,
  MOZAIKS_AUTH_HS256_SECRET: SECRET,
  MOZAIKS_INTERNAL_API_KEY: INTERNAL,
  MOZAIKS_LOG_LEVEL: "silent",
});
const store = openStore(path);
const clock = frozenClock(NOW);
const app = createRuntimeApp({
  config: { ...config, appPath: undefined },
  store,
  clock,
  logger: createLogger("silent"),
  keys: { user: userAuthKeysFromConfig(config.auth), entitlements: {} },
});
await app.runtime.start();
const ctx = app.runtime.ctx;

async function sync(body: Record<string, unknown>): Promise<void> {
  const res = await app.request("/api/internal/entitlement/sync", {
    method: "POST",
    headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL },
    body: JSON.stringify({ app_id: APP_ID, capabilities: [], ...body }),
  });
  if (res.status !== 200) throw new Error(`sync failed: ${res.status} ${await res.text()}`);
}
const limits = { [PLUGIN_CALLS]: 1_000_000_000_000, [TOKENS]: 1_000_000_000_000 };
const limit_periods = { [PLUGIN_CALLS]: { period: "daily" }, [TOKENS]: { period: "monthly" } };
await sync({ limits, limit_periods });
await sync({ user_id: "vip", limits, limit_periods });
const appCtx = await ctx.state.resolve("someone");
const userCtx = await ctx.state.resolve("vip");
const token = await new SignJWT({ sub: "someone" })
  .setProtectedHeader({ alg: "HS256" })
  .setIssuedAt(Math.floor(Date.parse(NOW) / 1000))
  .setExpirationTime(Math.floor(Date.parse(NOW) / 1000) + 3600)
  .sign(new TextEncoder().encode(SECRET));

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

async function measure() {
  const reserve = (c: typeof appCtx, user: string) => () =>
    ctx.ledger.reserve({ ctx: c, limitId: PLUGIN_CALLS, userId: user, kind: "bench" });
  return {
    reservation_app_scoped: await time(3000, reserve(appCtx, "someone")),
    reservation_user_scoped: await time(3000, reserve(userCtx, "vip")),
    entitlements_get: await time(1000, async () => {
      const res = await app.request("/api/entitlements", { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`entitlements: ${res.status}`);
      await res.arrayBuffer();
    }),
  };
}

/**
 * `EVENTS` ledger rows in the current windows (90% app-scoped plugin calls by 1,000 users, 10%
 * tokens of the user-scoped `vip`), inserted in batched transactions, then their counters set
 * from the ledger exactly as `mozaiks-runtime counters rebuild` would.
 */
function seed(): { seconds: number } {
  const started = Date.now();
  const t = Date.parse(NOW);
  const day = { start: Date.parse("2026-03-15T00:00:00Z"), end: Date.parse("2026-03-16T00:00:00Z") };
  const month = { start: Date.parse("2026-03-01T00:00:00Z"), end: Date.parse("2026-04-01T00:00:00Z") };
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
          month.start,
          month.end,
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
          day.start,
          day.end,
        );
      }
    }
  });
  for (let i = 0; i < EVENTS; i += 50_000) batch(i, Math.min(EVENTS, i + 50_000));
  return { seconds: (Date.now() - started) / 1000 };
}

const loadStart = loadavg().map((n) => +n.toFixed(2));
const empty = await measure();
const seeded = seed();
const rebuild = Date.now();
const repaired = await new SqliteCounterStore(store).rebuild();
const rebuildSeconds = (Date.now() - rebuild) / 1000;
const full = await measure();
const ratio = (k: keyof typeof empty) => ({
  mean: +(full[k].mean_us / empty[k].mean_us).toFixed(2),
  p50: +(full[k].p50_us / empty[k].p50_us).toFixed(2),
});

const result = {
  bench: "runtime-server usage ledger",
  command: "pnpm --filter @mozaiks/runtime-server bench:ledger",
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", node: process.version },
  load_average_at_start: loadStart,
  load_average_at_end: loadavg().map((n) => +n.toFixed(2)),
  ledger_events_seeded: EVENTS,
  seed_seconds: seeded.seconds,
  counters_rebuild: { seconds: rebuildSeconds, counters_rewritten: repaired.length },
  empty,
  with_events: full,
  ratio_1m_over_empty: {
    reservation_app_scoped: ratio("reservation_app_scoped"),
    reservation_user_scoped: ratio("reservation_user_scoped"),
    entitlements_get: ratio("entitlements_get"),
  },
  note: "reservations are in-process calls of UsageLedger.reserve (one conditional upsert + one ledger row, SQLite WAL, synchronous=NORMAL); entitlements_get is app.request() through the hono app (auth, state, one counter read per limit).",
};
await app.runtime.close();
rmSync(tmp, { recursive: true, force: true });
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/runtime-server-ledger.json"), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
  `${JSON.stringify({ empty, with_events: full, ratio: result.ratio_1m_over_empty }, null, 2)}\n`,
);
