// Shared pieces of the benches: the deployable runtime (`mozaiks-runtime`, built), the bench
// scripts (serve-*.ts) as child processes on loopback, a temp bundle with the example echo
// plugin, tokens, the bench's manifest sync, RSS and CPU from /proc, autocannon summaries,
// embedded PostgreSQL, and the result files with the machine and its load.
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type autocannon from "autocannon";
import { type JWTPayload, SignJWT } from "jose";
import pg from "pg";
import { startEmbeddedPostgres } from "../test/helpers/embedded-postgres.js";

export const HERE = fileURLToPath(new URL(".", import.meta.url));
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The process operators run (`mozaiks-runtime`): plain node on the built JavaScript, no tsx. */
export const RUNTIME_MAIN = join(ROOT, "apps/runtime/dist/main.js");
export const SECRET = "bench-hs256-secret-0123456789abcdef-0123456789";
export const INTERNAL = "bench-internal-key-0123456789";
export const APP_ID = "bench-app";
export const PLUGIN_CALLS = "cap.limit.plugin_calls_daily";
export const TOKENS = "cap.limit.tokens_monthly";

/** A bundle holding only the example echo plugin (`cap.tool.basic`). */
export function echoBundle(dir: string): string {
  const bundle = join(dir, "app");
  mkdirSync(join(bundle, "plugins"), { recursive: true });
  writeFileSync(join(bundle, "app.json"), JSON.stringify({ app_id: APP_ID }));
  cpSync(join(ROOT, "examples/app/plugins/echo"), join(bundle, "plugins/echo"), { recursive: true });
  return bundle;
}

/** An HS256 user token with `claims`, issued at `at` (ms) and valid for an hour. */
export function signToken(claims: JWTPayload, at = Date.now()): Promise<string> {
  const iat = Math.floor(at / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(new TextEncoder().encode(SECRET));
}

export function bearer(sub: string): Promise<string> {
  return signToken({ sub, app_id: APP_ID }).then((t) => `Bearer ${t}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Child {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

function stopper(proc: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((done) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return done();
      proc.once("exit", () => done());
      proc.kill("SIGTERM");
    });
}

/** Starts `mozaiks-runtime` on a free loopback port; resolves once `/health` answers 200. */
export async function startRuntime(env: Record<string, string>): Promise<Child> {
  if (!existsSync(RUNTIME_MAIN)) {
    throw new Error(`${RUNTIME_MAIN} is missing: build first (pnpm --filter @mozaiks/runtime... build)`);
  }
  const port = await freePort();
  // For investigations: BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof", "--trace-gc", …
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, RUNTIME_MAIN], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      MOZAIKS_APP_ID: APP_ID,
      MOZAIKS_AUTH_HS256_SECRET: SECRET,
      MOZAIKS_INTERNAL_API_KEY: INTERNAL,
      MOZAIKS_ENV: "production",
      // The bench syncs unsigned manifests through the internal API.
      MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS: "true",
      MOZAIKS_LOG_LEVEL: "warn",
      MOZAIKS_HOST: "127.0.0.1",
      MOZAIKS_PORT: String(port),
      ...env,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  let exited: string | undefined;
  proc.once("exit", (code, signal) => {
    exited = `mozaiks-runtime exited (${code ?? signal})`;
  });
  const url = `http://127.0.0.1:${port}`;
  for (const started = Date.now(); Date.now() - started < 30_000; ) {
    if (exited) throw new Error(exited);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { pid: proc.pid as number, url, stop: stopper(proc) };
    await sleep(100);
  }
  proc.kill("SIGKILL");
  throw new Error("mozaiks-runtime did not answer /health within 30 s");
}

/** Starts a bench script under tsx; it prints `{"port":N}` once listening. Added to `started` if given. */
export function startScript(
  script: string,
  env: Record<string, string> = {},
  started?: Child[],
): Promise<Child> {
  const proc = spawn(
    process.execPath,
    ["--conditions=@mozaiks/source", "--import", "tsx", join(HERE, script)],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (!m) return;
      const child = { pid: proc.pid as number, url: `http://127.0.0.1:${m[1]}`, stop: stopper(proc) };
      started?.push(child);
      resolve(child);
    });
    proc.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** The env of bench/serve-runtime.ts in production on SQLite: the bench's app, keys, unsigned manifests. */
export function servedRuntimeEnv(bundle: string, dbPath: string): Record<string, string> {
  return {
    MOZAIKS_APP_ID: APP_ID,
    MOZAIKS_APP_PATH: bundle,
    MOZAIKS_DB_PATH: dbPath,
    MOZAIKS_AUTH_HS256_SECRET: SECRET,
    MOZAIKS_INTERNAL_API_KEY: INTERNAL,
    MOZAIKS_ENV: "production",
    // The bench bundles have no manifest (OSS defaults): nothing to verify.
    MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS: "true",
    MOZAIKS_LOG_LEVEL: "silent",
  };
}

/** The bench scripts one run starts (`start`, as startScript), stopped together by `stop`. */
export function processes() {
  const started: Child[] = [];
  return {
    start: (script: string, env: Record<string, string> = {}) => startScript(script, env, started),
    stop: async () => {
      await Promise.all(started.splice(0).map((c) => c.stop()));
    },
  };
}

/** One model call's token usage as POST /api/usage/ingest takes it (100 in, 20 out). */
export const tokenUsage = (eventId: string, userId: string, timestamp: string) => ({
  event_id: eventId,
  timestamp,
  app_id: APP_ID,
  user_id: userId,
  workflow_id: "wf",
  model: "m",
  input_tokens: 100,
  output_tokens: 20,
  total_tokens: 120,
});

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Syncs the app-level manifest: huge plugin-call and token limits, so every call reserves. */
export async function syncBenchManifest(url: string): Promise<void> {
  const res = await fetch(`${url}/api/internal/entitlement/sync`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL },
    body: JSON.stringify({
      app_id: APP_ID,
      capabilities: ["cap.tool.basic"],
      limits: { [PLUGIN_CALLS]: 1_000_000_000_000, [TOKENS]: 1_000_000_000_000 },
      enforcement: { [PLUGIN_CALLS]: "hard", [TOKENS]: "hard" },
      limit_periods: { [PLUGIN_CALLS]: { period: "daily" }, [TOKENS]: { period: "monthly" } },
    }),
  });
  if (res.status !== 200) throw new Error(`sync: ${res.status} ${await res.text()}`);
}

/** Resident memory of a process (MB) with its anonymous share and thread count, from /proc. */
export function memory(pid: number): { rss_mb: number; anon_mb: number; threads: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  const mb = (n: number) => Math.round(n / 102.4) / 10;
  return {
    rss_mb: mb(kb("VmRSS")),
    anon_mb: mb(kb("RssAnon")),
    threads: Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN),
  };
}

/** The figures every load result reports. */
export function summary(r: autocannon.Result) {
  return {
    req_per_s: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors,
    non_2xx: r.non2xx,
  };
}

export const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** An admin URL: MOZAIKS_BENCH_DATABASE_URL, or a fresh embedded-postgres in `dir` (stopped by `stop`). */
export async function postgresServer(dir: string): Promise<{ admin: string; stop: () => Promise<void> }> {
  const given = process.env.MOZAIKS_BENCH_DATABASE_URL;
  if (given) return { admin: given, stop: async () => undefined };
  const server = await startEmbeddedPostgres(dir);
  return { admin: server.url, stop: server.stop };
}

/** Creates database `name` on the server of `admin` and returns its URL. */
export async function createDatabase(admin: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The runtime's own view of its main-thread memory (MB), from its Prometheus metrics. */
export async function heapBreakdown(url: string): Promise<Record<string, number>> {
  const text = await fetch(`${url}/metrics`, { headers: { "x-internal-api-key": INTERNAL } }).then((r) =>
    r.text(),
  );
  const out: Record<string, number> = {};
  const mb = (v: string) => Math.round(Number(v) / 104_857.6) / 10;
  for (const line of text.split("\n")) {
    const m =
      /^mozaiks_(nodejs_heap_size_total_bytes|nodejs_heap_size_used_bytes|nodejs_external_memory_bytes|process_resident_memory_bytes)\s+(\S+)/.exec(
        line,
      );
    if (m) out[(m[1] as string).replace(/^(nodejs|process)_|_bytes$/g, "")] = mb(m[2] as string);
    const space = /^mozaiks_nodejs_heap_space_size_total_bytes\{space="(\w+)"\}\s+(\S+)/.exec(line);
    if (space) out[`heap_space_${space[1]}`] = mb(space[2] as string);
  }
  return out;
}

/** CPU seconds used so far by process `pid` (all its threads), from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100/s)
}

/** CPU seconds the whole machine has been busy so far (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  void idle;
  void iowait;
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
}

/** The machine's 1, 5 and 15-minute load averages, to two decimals. */
export const loadAverage = () => loadavg().map((n) => +n.toFixed(2));

/** The machine a result was measured on. */
export const host = () => ({
  cpus: cpus().length,
  model: cpus()[0]?.model ?? "unknown",
  node: process.version,
});

/** The machine in the layout of the load benches' results, with the load when the run began. */
export const machineAt = (loadAverageAtStart: number[]) => ({
  node: process.version,
  cpus: availableParallelism(),
  cpu_model: cpus()[0]?.model ?? "unknown",
  load_average_at_start: loadAverageAtStart,
});

/** Writes `result` to bench/results/`file` at the repository root and prints `shown` (all of it by default). */
export function writeResult(file: string, result: unknown, shown: unknown = result): void {
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results", file), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
}
