// Load bench of the app-facing API on loopback (autocannon), one run: POST /api/check for a
// capability and with consume at 10 and 50 connections against the bare hono POST baseline
// (bench/serve-baseline.ts) measured in the same run, and POST /api/track events/s against
// POST /api/usage/ingest. The check figures are medians of interleaved rounds (BENCH_ROUNDS,
// default 3). Writes bench/results/app-api.json at the repository root.
// Usage: pnpm --filter @mozaiks/runtime-server bench:app-api
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { SignJWT } from "jose";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION_S ?? 4);
const SECRET = "bench-hs256-secret-0123456789abcdef-0123456789";
const INTERNAL = "bench-internal-key-0123456789";
const APP_ID = "bench-app";
const BATCH = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const tmp = mkdtempSync(join(tmpdir(), "mozaiks-bench-app-api-"));
const bundle = join(tmp, "app");
mkdirSync(join(bundle, "plugins"), { recursive: true });
writeFileSync(join(bundle, "app.json"), JSON.stringify({ app_id: APP_ID }));
cpSync(join(ROOT, "examples/app/plugins/echo"), join(bundle, "plugins/echo"), { recursive: true });

const children: ChildProcess[] = [];
function start(script: string, env: Record<string, string> = {}): Promise<number> {
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
      if (m) resolve(Number(m[1]));
    });
    proc.on("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function load(opts: autocannon.Options) {
  const r = await autocannon({ duration: DURATION, ...opts });
  if (r.non2xx > 0) throw new Error(`${opts.url}: ${r.non2xx} non-2xx answers`);
  return { req_per_s: Math.round(r.requests.average), p99_ms: r.latency.p99 };
}

try {
  const basePort = await start("serve-baseline.ts");
  const port = await start("serve-runtime.ts", {
    MOZAIKS_APP_ID: APP_ID,
    MOZAIKS_APP_PATH: bundle,
    MOZAIKS_DB_PATH: join(tmp, "runtime.db"),
    MOZAIKS_AUTH_HS256_SECRET: SECRET,
    MOZAIKS_INTERNAL_API_KEY: INTERNAL,
    MOZAIKS_ENV: "production",
    MOZAIKS_ALLOW_UNSIGNED_ENTITLEMENTS: "true",
    MOZAIKS_LOG_LEVEL: "silent",
  });
  const rt = `http://127.0.0.1:${port}`;
  const iat = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ app_id: APP_ID })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("bench-user")
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(new TextEncoder().encode(SECRET));
  const user = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const internal = { "x-internal-api-key": INTERNAL, "content-type": "application/json" };
  const sync = await fetch(`${rt}/api/internal/entitlement/sync`, {
    method: "POST",
    headers: internal,
    body: JSON.stringify({
      app_id: APP_ID,
      capabilities: ["cap.tool.basic", "cap.feature.export"],
      limits: { "cap.limit.exports_daily": 1_000_000_000, "cap.limit.events_daily": 1_000_000_000 },
      limit_periods: {
        "cap.limit.exports_daily": { period: "daily" },
        "cap.limit.events_daily": { period: "daily" },
      },
    }),
  });
  if (!sync.ok) throw new Error(`sync: ${sync.status} ${await sync.text()}`);

  const body = JSON.stringify({ hello: "world" });
  const results: Record<string, unknown> = {};
  // Other work on the machine moves req/s by tens of percent within seconds, so the baseline and
  // the checks are measured in interleaved rounds (each round in a rotated order) and each
  // ratio is the median of the rounds' own ratios: a busy moment then slows a round's three
  // measurements alike instead of one of them.
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2
      ? (s[(s.length - 1) / 2] as number)
      : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
  };
  for (const connections of [10, 50]) {
    const targets = {
      baseline_post: {
        url: `http://127.0.0.1:${basePort}/echo`,
        body,
        headers: { "content-type": "application/json" },
      },
      check_capability: {
        url: `${rt}/api/check`,
        headers: user,
        body: JSON.stringify({ capability: "cap.feature.export" }),
      },
      check_consume: {
        url: `${rt}/api/check`,
        headers: user,
        body: JSON.stringify({ limit: "cap.limit.exports_daily", consume: true }),
      },
    };
    const names = Object.keys(targets) as Array<keyof typeof targets>;
    const rounds: Array<Record<keyof typeof targets, { req_per_s: number; p99_ms: number }>> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = {} as (typeof rounds)[number];
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + r) % names.length] as keyof typeof targets;
        round[name] = await load({ ...targets[name], method: "POST", connections });
      }
      rounds.push(round);
    }
    const summary = (name: keyof typeof targets) => ({
      req_per_s: Math.round(median(rounds.map((r) => r[name].req_per_s))),
      p99_ms: median(rounds.map((r) => r[name].p99_ms)),
      ...(name === "baseline_post"
        ? {}
        : {
            ratio_to_baseline: +median(
              rounds.map((r) => r[name].req_per_s / r.baseline_post.req_per_s),
            ).toFixed(2),
            round_ratios: rounds.map((r) => +(r[name].req_per_s / r.baseline_post.req_per_s).toFixed(2)),
          }),
    });
    results[`c${connections}`] = Object.fromEntries(names.map((name) => [name, summary(name)]));
  }
  let n = 0;
  const trackBody = () =>
    JSON.stringify({
      events: Array.from({ length: BATCH }, () => ({
        event_id: `t${n++}`,
        metric: "cap.limit.events_daily",
        amount: 1,
        user_id: "bench-user",
      })),
    });
  const ingestBody = () => {
    const ts = new Date().toISOString();
    return JSON.stringify({
      batch_id: `b${n}`,
      events: Array.from({ length: BATCH }, () => ({
        event_id: `i${n++}`,
        timestamp: ts,
        app_id: APP_ID,
        user_id: "bench-user",
        workflow_id: "wf",
        model: "m",
        input_tokens: 1,
        output_tokens: 1,
        total_tokens: 2,
      })),
    });
  };
  const batches = async (url: string, make: () => string) => {
    const r = await autocannon({
      url,
      method: "POST",
      connections: 4,
      duration: DURATION,
      headers: internal,
      requests: [{ setupRequest: (req) => ({ ...req, body: make() }) }],
    });
    if (r.non2xx > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers`);
    return { events_per_s: Math.round(r.requests.average * BATCH), batch: BATCH, p99_ms: r.latency.p99 };
  };
  const track = await batches(`${rt}/api/track`, trackBody);
  const ingest = await batches(`${rt}/api/usage/ingest`, ingestBody);
  results.track_vs_ingest = { track, ingest, ratio: +(track.events_per_s / ingest.events_per_s).toFixed(2) };
  const out = {
    when: new Date().toISOString(),
    cpus: cpus().length,
    // The machine's 1-minute load when the run ended: above the core count, other work shared it.
    load_1m: +(loadavg()[0] as number).toFixed(2),
    duration_s: DURATION,
    rounds: ROUNDS,
    results,
  };
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results/app-api.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
} finally {
  for (const c of children) c.kill();
  rmSync(tmp, { recursive: true, force: true });
}
