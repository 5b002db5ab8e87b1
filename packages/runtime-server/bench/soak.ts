// Mixed-load soak of the deployable runtime (`mozaiks-runtime`, SQLite) on loopback, one run:
// idle RSS 15 s after start, before any request; 50 connections for 60 s cycling POST /api/execute (reserves a
// plugin call), GET /api/entitlements, POST /api/usage/ingest (50 token events) and GET /health,
// so the ledger grows as it runs; throughput and p99 per 10 s window and last/first; RSS every
// 10 s for 60 s after the load ends. Written to bench/results/runtime-server-soak.json.
// Usage: pnpm --filter @mozaiks/runtime-server bench:soak (after a build; BENCH_SOAK_S,
// BENCH_CONNECTIONS, BENCH_AFTER_S override 60 / 50 / 60).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import {
  bearer,
  type Child,
  cpuSeconds,
  echoBundle,
  heapBreakdown,
  host,
  INTERNAL,
  loadAverage,
  machineBusySeconds,
  memory,
  PLUGIN_CALLS,
  progress,
  sleep,
  startRuntime,
  syncBenchManifest,
  TOKENS,
  tokenUsage,
  writeResult,
} from "./harness.js";

const SOAK_S = Number(process.env.BENCH_SOAK_S ?? 60);
const WINDOW_S = 10;
const WARMUP_S = 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const AFTER_S = Number(process.env.BENCH_AFTER_S ?? 60);
const INGEST_BATCH = 50;
const USERS = 100;

const tmp = mkdtempSync(join(tmpdir(), "mozaiks-soak-bench-"));
const dbPath = join(tmp, "runtime.db");

let seq = 0;
function ingestBody(): string {
  const batch = seq++;
  const ts = new Date().toISOString();
  const events = Array.from({ length: INGEST_BATCH }, (_, i) =>
    tokenUsage(`soak-${batch}-${i}`, `user-${(batch + i) % USERS}`, ts),
  );
  return JSON.stringify({ batch_id: `soak-batch-${batch}`, events });
}

async function mixedLoad(rt: Child, seconds: number, onSecond?: (s: number) => void) {
  const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => bearer(`user-${i}`)));
  let turn = 0;
  const nextToken = () => tokens[turn++ % USERS] as string;
  const echo = JSON.stringify({ message: "hello", n: 42, tags: ["a", "b"] });
  const windows: Array<{ responses: number; non_2xx: number; latencies: number[] }> = [];
  // CPU at each window boundary: the runtime's own, this process's (autocannon) and the machine's.
  const cpu = () => ({
    runtime: cpuSeconds(rt.pid),
    bench: cpuSeconds(process.pid),
    machine: machineBusySeconds(),
  });
  const marks = [cpu()];
  const marker = setInterval(() => marks.push(cpu()), WINDOW_S * 1000);
  const started = Date.now();
  const instance = autocannon({
    url: rt.url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path: "/api/execute/echo",
        setupRequest: (req) => ({
          ...req,
          headers: { "content-type": "application/json", authorization: nextToken() },
          body: echo,
        }),
      },
      {
        method: "GET",
        path: "/api/entitlements",
        setupRequest: (req) => ({ ...req, headers: { authorization: nextToken() } }),
      },
      {
        method: "POST",
        path: "/api/usage/ingest",
        setupRequest: (req) => ({
          ...req,
          headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL },
          body: ingestBody(),
        }),
      },
      { method: "GET", path: "/health" },
    ],
  });
  instance.on("response", (_client, status, _bytes, ms) => {
    const w = Math.min(
      Math.floor((Date.now() - started) / (WINDOW_S * 1000)),
      Math.ceil(seconds / WINDOW_S) - 1,
    );
    windows[w] ??= { responses: 0, non_2xx: 0, latencies: [] };
    const slot = windows[w];
    slot.responses++;
    if (status < 200 || status > 299) slot.non_2xx++;
    slot.latencies.push(ms);
  });
  const ticker = onSecond ? setInterval(() => onSecond((Date.now() - started) / 1000), 1000) : undefined;
  const result = await instance;
  clearInterval(marker);
  if (marks.length <= Math.ceil(seconds / WINDOW_S)) marks.push(cpu());
  if (ticker) clearInterval(ticker);
  const cpuPerWindow = marks.slice(1).map((m, i) => {
    const prev = marks[i] as typeof m;
    const runtime = m.runtime - prev.runtime;
    const machine = m.machine - prev.machine;
    const others = Math.max(0, machine - runtime - (m.bench - prev.bench));
    return { runtime_s: +runtime.toFixed(2), others_s: +others.toFixed(2) };
  });
  return { result, windows, cpuPerWindow };
}

function p99(latencies: number[]): number {
  const s = [...latencies].sort((a, b) => a - b);
  return +(s[Math.min(s.length - 1, Math.floor(0.99 * s.length))] ?? Number.NaN).toFixed(1);
}

function ledgerFigures() {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const count = (metric: string) =>
      (db
        .prepare(
          "SELECT count(*) AS n, coalesce(sum(amount), 0) AS amount FROM usage_events WHERE metric = ?",
        )
        .get(metric) as { n: number; amount: number }) ?? { n: 0, amount: 0 };
    const counter = (metric: string) =>
      (db
        .prepare("SELECT coalesce(sum(used), 0) AS used FROM usage_counters WHERE metric = ?")
        .get(metric) as {
        used: number;
      }) ?? { used: 0 };
    const calls = count(PLUGIN_CALLS);
    const tokens = count(TOKENS);
    return {
      ledger_events: (db.prepare("SELECT count(*) AS n FROM usage_events").get() as { n: number }).n,
      plugin_calls: { ledger: calls.amount, counter: counter(PLUGIN_CALLS).used },
      tokens: { ledger: tokens.amount, counter: counter(TOKENS).used },
    };
  } finally {
    db.close();
  }
}

async function main() {
  const loadStart = loadAverage();
  const rt = await startRuntime({ MOZAIKS_APP_PATH: echoBundle(tmp), MOZAIKS_DB_PATH: dbPath });
  try {
    // Idle = settled: V8 shrinks the start-up heap (memory-reducing GCs) some 8 s after start.
    await sleep(15_000);
    const idle = memory(rt.pid);
    progress(`idle: ${JSON.stringify(idle)}`);
    // Scraped after the idle sample: the first scrape starts the process metrics.
    const idleHeap = await heapBreakdown(rt.url);
    await syncBenchManifest(rt.url);

    let peak = idle.rss_mb;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memory(rt.pid).rss_mb);
    }, 250);
    progress(`warm-up: ${WARMUP_S} s of the mix`);
    const warm = await mixedLoad(rt, WARMUP_S);
    progress(`mixed load: ${CONNECTIONS} connections for ${SOAK_S} s`);
    const run = await mixedLoad(rt, SOAK_S, (s) => {
      if (Math.round(s) % WINDOW_S === 0) progress(`  ${Math.round(s)} s, rss ${memory(rt.pid).rss_mb} MB`);
    });
    clearInterval(sampler);
    const atEnd = memory(rt.pid);
    const windows = run.windows.map((w, i) => {
      const cpu = run.cpuPerWindow[i];
      return {
        from_s: i * WINDOW_S,
        req_per_s: Math.round(w.responses / WINDOW_S),
        p99_ms: p99(w.latencies),
        non_2xx: w.non_2xx,
        // Load-independent: what one request costs the runtime (all its threads).
        runtime_cpu_ms_per_request: cpu ? +((cpu.runtime_s * 1000) / w.responses).toFixed(3) : null,
        runtime_cpu_s: cpu?.runtime_s ?? null,
        // CPU other processes on the machine took in the window (2 cores = 20 s per 10 s).
        other_processes_cpu_s: cpu?.others_s ?? null,
      };
    });
    for (const w of windows)
      progress(
        `  window ${w.from_s}–${w.from_s + WINDOW_S} s: ${w.req_per_s} req/s, p99 ${w.p99_ms} ms, runtime ${w.runtime_cpu_ms_per_request} CPU ms/request, other processes ${w.other_processes_cpu_s} CPU s`,
      );
    const first = windows[0];
    const last = windows.at(-1);

    const after: Array<{ after_s: number; rss_mb: number; anon_mb: number; threads: number }> = [];
    for (let s = 10; s <= AFTER_S; s += 10) {
      await sleep(10_000);
      const m = memory(rt.pid);
      after.push({ after_s: s, ...m });
      progress(`  ${s} s after the load: ${JSON.stringify(m)}`);
    }
    const rssAfter = after.at(-1)?.rss_mb ?? atEnd.rss_mb;
    const afterHeap = await heapBreakdown(rt.url);
    progress(`main thread (MB): idle ${JSON.stringify(idleHeap)}, after ${JSON.stringify(afterHeap)}`);
    const ledger = ledgerFigures();
    const result = {
      bench: "runtime-server mixed-load soak and memory",
      command: "pnpm --filter @mozaiks/runtime-server bench:soak",
      date: new Date().toISOString(),
      machine: host(),
      process: "node apps/runtime/dist/main.js (mozaiks-runtime), SQLite, MOZAIKS_ENV=production",
      load_average_at_start: loadStart,
      load_average_at_end: loadAverage(),
      settings: {
        connections: CONNECTIONS,
        duration_s: SOAK_S,
        window_s: WINDOW_S,
        warmup_s: WARMUP_S,
        ingest_batch: INGEST_BATCH,
        users: USERS,
        mix: "per connection in turn: POST /api/execute/echo, GET /api/entitlements, POST /api/usage/ingest, GET /health",
      },
      warmup: { req_per_s: Math.round(warm.result.requests.average), non_2xx: warm.result.non2xx },
      mixed_load: {
        req_per_s: Math.round(run.result.requests.average),
        p99_ms: run.result.latency.p99,
        errors: run.result.errors,
        non_2xx: run.result.non2xx,
        windows,
        ratio_last_over_first: first && last ? +(last.req_per_s / first.req_per_s).toFixed(2) : null,
        // The same ratio in cost per request (first/last, so a rising cost lowers it): what the
        // machine's other load cannot move.
        ratio_cpu_cost_first_over_last:
          first?.runtime_cpu_ms_per_request && last?.runtime_cpu_ms_per_request
            ? +(first.runtime_cpu_ms_per_request / last.runtime_cpu_ms_per_request).toFixed(2)
            : null,
      },
      ledger_after: ledger,
      rss: {
        idle: idle,
        loaded_peak_mb: peak,
        at_load_end: atEnd,
        after_load: after,
        ratio_after_load_over_idle: +(rssAfter / idle.rss_mb).toFixed(2),
        main_thread_mb: { idle: idleHeap, after_load: afterHeap },
      },
    };
    writeResult("runtime-server-soak.json", result);
  } finally {
    await rt.stop();
  }
}

try {
  await main();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
