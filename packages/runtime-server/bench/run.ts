// Load bench of the runtime on loopback (autocannon), all in one run, written to
// bench/results/runtime-server.json at the repository root. Usage: pnpm bench
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { SignJWT } from "jose";
import { frozenClock } from "../src/clock.js";
import { TokenVerifier } from "../src/control/auth/verifier.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = 10;
const SECRET = "bench-hs256-secret-0123456789abcdef-0123456789";
const INTERNAL = "bench-internal-key-0123456789";
const APP_ID = "bench-app";
const BATCH = 500;

const tmp = mkdtempSync(join(tmpdir(), "mozaiks-bench-"));
const bundle = join(tmp, "app");
mkdirSync(join(bundle, "plugins"), { recursive: true });
writeFileSync(join(bundle, "app.json"), JSON.stringify({ app_id: APP_ID }));
cpSync(join(ROOT, "examples/app/plugins/echo"), join(bundle, "plugins/echo"), { recursive: true });

const children: ChildProcess[] = [];
function start(script: string, env: Record<string, string> = {}): Promise<{ port: number; pid: number }> {
  const proc = spawn(
    process.execPath,
    ["--conditions=@mozaiks/source", "--import", "tsx", join(HERE, script)],
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
      if (m) resolve({ port: Number(m[1]), pid: proc.pid as number });
    });
    proc.on("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function load(opts: autocannon.Options) {
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts });
  return {
    req_per_s: Math.round(r.requests.average),
    p99_ms: r.latency.p99,
    p50_ms: r.latency.p50,
    requests: r.requests.total,
    errors: r.errors,
    non_2xx: r.non2xx,
  };
}

let seq = 0;
function ingestBody(): string {
  const batch = seq++;
  const ts = new Date().toISOString();
  const events = Array.from({ length: BATCH }, (_, i) => ({
    event_id: `b${batch}-e${i}`,
    timestamp: ts,
    app_id: APP_ID,
    user_id: `user-${i % 50}`,
    workflow_id: "wf",
    model: "m",
    input_tokens: 100,
    output_tokens: 20,
    total_tokens: 120,
  }));
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
  const token = await new SignJWT({ sub: "u", app_id: APP_ID })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(secret);
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
  const startLoad = loadavg().map((n) => +n.toFixed(2));
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ sub: "bench-user", app_id: APP_ID })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(SECRET));

  const baseline = await start("serve-baseline.ts");
  const runtime = await start("serve-runtime.ts", {
    MOZAIKS_APP_ID: APP_ID,
    MOZAIKS_APP_PATH: bundle,
    MOZAIKS_DB_PATH: join(tmp, "runtime.db"),
    MOZAIKS_AUTH_HS256_SECRET: SECRET,
    MOZAIKS_INTERNAL_API_KEY: INTERNAL,
    MOZAIKS_ENV: "production",
    // The bench bundle has no manifest (OSS defaults): nothing to verify.
    MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS: "true",
    MOZAIKS_LOG_LEVEL: "silent",
  });
  const runtimeInProcess = await start("serve-runtime.ts", {
    MOZAIKS_APP_ID: APP_ID,
    MOZAIKS_APP_PATH: bundle,
    MOZAIKS_DB_PATH: join(tmp, "runtime-inprocess.db"),
    MOZAIKS_AUTH_HS256_SECRET: SECRET,
    MOZAIKS_ENV: "production",
    // The bench bundle has no manifest (OSS defaults): nothing to verify.
    MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS: "true",
    MOZAIKS_LOG_LEVEL: "silent",
    BENCH_INPROCESS_PLUGINS: "1",
  });
  const rt = `http://127.0.0.1:${runtime.port}`;
  await new Promise((r) => setTimeout(r, 500));

  const echoBody = JSON.stringify({ message: "hello", n: 42, tags: ["a", "b"] });
  const health = await load({ url: `${rt}/health` });
  const base = await load({
    url: `http://127.0.0.1:${baseline.port}/echo`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: echoBody,
  });
  const controlPath = await load({
    url: `http://127.0.0.1:${runtimeInProcess.port}/api/execute/echo`,
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
    machine: {
      node: process.version,
      cpus: availableParallelism(),
      cpu_model: cpus()[0]?.model ?? "unknown",
      load_average_at_start: startLoad,
    },
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
    load_average_at_end: loadavg().map((n) => +n.toFixed(2)),
    ingest: { ...ingest, events_per_s: ingestEventsPerS },
    raw_sqlite_batched_insert_events_per_s: rawEventsPerS,
    ratio_ingest_vs_raw: +(ingestEventsPerS / rawEventsPerS).toFixed(3),
    token_verify: verify,
    // Memory is measured on the deployable process, settled, by bench/soak.ts.
  };
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results/runtime-server.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

try {
  await main();
} finally {
  for (const c of children) c.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
}
