// Load bench of the runtime on loopback (autocannon), all in one run, written to
// bench/results/runtime-server.json at the repository root. Usage: pnpm bench
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { frozenClock } from "../src/clock.js";
import { TokenVerifier } from "../src/control/auth/verifier.js";
import {
  APP_ID,
  echoBundle,
  INTERNAL,
  loadAverage,
  machineAt,
  processes,
  SECRET,
  servedRuntimeEnv,
  signToken,
  sleep,
  summary,
  tokenUsage,
  writeResult,
} from "./harness.js";

const DURATION = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = 10;
const BATCH = 500;

const tmp = mkdtempSync(join(tmpdir(), "mozaiks-bench-"));
const bundle = echoBundle(tmp);
const children = processes();

const load = async (opts: autocannon.Options) =>
  summary(await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }));

let seq = 0;
function ingestBody(): string {
  const batch = seq++;
  const ts = new Date().toISOString();
  const events = Array.from({ length: BATCH }, (_, i) => tokenUsage(`b${batch}-e${i}`, `user-${i % 50}`, ts));
  return JSON.stringify({ batch_id: `batch-${batch}`, events });
}

/** Raw better-sqlite3: the same rows, batched 500 per transaction, same pragmas and indexes. */
function rawInsertEventsPerSecond(): number {
  const db = new Database(join(tmp, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`create table usage_events (event_id text primary key, app_id text not null, user_id text not null,
    metric text not null, amount integer not null, occurred_at integer not null, kind text not null, workflow_id text,
    run_id text, model text, input_tokens integer, output_tokens integer, batch_id text, recorded_at integer not null);
    create index u1 on usage_events(user_id, metric, occurred_at); create index u2 on usage_events(metric, occurred_at);`);
  const ins = db.prepare(
    "insert into usage_events values (?, ?, ?, 'cap.limit.tokens_monthly', ?, ?, 'chat.usage_delta', ?, null, ?, ?, ?, ?, ?) on conflict do nothing",
  );
  const tx = db.transaction((rows: Array<Record<string, unknown>>, batchId: string) => {
    for (const e of rows) {
      ins.run(
        e.event_id,
        e.app_id,
        e.user_id,
        e.total_tokens,
        Date.parse(e.timestamp as string),
        e.workflow_id,
        e.model,
        e.input_tokens,
        e.output_tokens,
        batchId,
        Date.now(),
      );
    }
  });
  let events = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < DURATION * 1000) {
    const body = JSON.parse(ingestBody()) as { batch_id: string; events: Array<Record<string, unknown>> };
    tx.immediate(body.events, body.batch_id);
    events += body.events.length;
  }
  db.close();
  return Math.round(events / ((performance.now() - t0) / 1000));
}

async function verifyBench() {
  const secret = new TextEncoder().encode(SECRET);
  const now = Math.floor(Date.now() / 1000);
  const token = await signToken({ sub: "u", app_id: APP_ID }, now * 1000);
  const v = new TokenVerifier({ keys: { hs256Secret: secret }, clock: frozenClock(new Date(now * 1000)) });
  const rate = async (fn: () => Promise<unknown>) => {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 1000) {
      await fn();
      n++;
    }
    return Math.round(n / ((performance.now() - t0) / 1000));
  };
  const uncached = await rate(() => v.verifyUncached(token));
  const cached = await rate(() => v.verify(token));
  return { uncached_ops_per_s: uncached, cached_ops_per_s: cached, speedup: +(cached / uncached).toFixed(1) };
}

async function main() {
  const startLoad = loadAverage();
  const token = await signToken({ sub: "bench-user", app_id: APP_ID });

  const baseline = await children.start("serve-baseline.ts");
  const runtime = await children.start("serve-runtime.ts", servedRuntimeEnv(bundle, join(tmp, "runtime.db")));
  const runtimeInProcess = await children.start("serve-runtime.ts", {
    ...servedRuntimeEnv(bundle, join(tmp, "runtime-inprocess.db")),
    BENCH_INPROCESS_PLUGINS: "1",
  });
  const rt = runtime.url;
  await sleep(500);

  const echoBody = JSON.stringify({ message: "hello", n: 42, tags: ["a", "b"] });
  const health = await load({ url: `${rt}/health` });
  const base = await load({
    url: `${baseline.url}/echo`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: echoBody,
  });
  const controlPath = await load({
    url: `${runtimeInProcess.url}/api/execute/echo`,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: echoBody,
  });
  const ingest = await load({
    url: `${rt}/api/usage/ingest`,
    connections: 4,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL },
        setupRequest: (req) => ({ ...req, body: ingestBody() }),
      },
    ],
  });
  // Last: a saturated isolated-plugin run leaves queued work behind in the runtime process.
  const execute = await load({
    url: `${rt}/api/execute/echo`,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: echoBody,
  });
  const ingestEventsPerS = ingest.req_per_s * BATCH;
  const rawEventsPerS = rawInsertEventsPerSecond();
  const verify = await verifyBench();

  const result = {
    package: "@mozaiks/runtime-server",
    date: new Date().toISOString(),
    machine: machineAt(startLoad),
    settings: { duration_s: DURATION, connections: CONNECTIONS, ingest_batch: BATCH, ingest_connections: 4 },
    health,
    baseline_hono_post_echo: base,
    execute_echo_authenticated: execute,
    ratio_execute_vs_baseline: +(execute.req_per_s / base.req_per_s).toFixed(3),
    execute_echo_control_path_only: {
      ...controlPath,
      note: "diagnostic: same route with the plugin module called in-process (no worker isolation)",
    },
    ratio_control_path_vs_baseline: +(controlPath.req_per_s / base.req_per_s).toFixed(3),
    load_average_at_end: loadAverage(),
    ingest: { ...ingest, events_per_s: ingestEventsPerS },
    raw_sqlite_batched_insert_events_per_s: rawEventsPerS,
    ratio_ingest_vs_raw: +(ingestEventsPerS / rawEventsPerS).toFixed(3),
    token_verify: verify,
    // Memory is measured on the deployable process, settled, by bench/soak.ts.
  };
  writeResult("runtime-server.json", result);
}

try {
  await main();
} finally {
  await children.stop();
  rmSync(tmp, { recursive: true, force: true });
}
