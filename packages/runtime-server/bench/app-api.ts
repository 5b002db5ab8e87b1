// Load bench of the app-facing API on loopback (autocannon), one run: POST /api/check for a
// capability and with consume at 10 and 50 connections against the bare hono POST baseline
// (bench/serve-baseline.ts) measured in the same run, and POST /api/track events/s against
// POST /api/usage/ingest. The check figures are medians of interleaved rounds (BENCH_ROUNDS,
// default 3). Writes bench/results/app-api.json at the repository root.
// Usage: pnpm --filter @mozaiks/runtime-server bench:app-api
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import {
  APP_ID,
  echoBundle,
  INTERNAL,
  processes,
  servedRuntimeEnv,
  signToken,
  writeResult,
} from "./harness.js";

const DURATION = Number(process.env.BENCH_DURATION_S ?? 4);
const BATCH = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const tmp = mkdtempSync(join(tmpdir(), "mozaiks-bench-app-api-"));
const bundle = echoBundle(tmp);
const children = processes();

async function load(opts: autocannon.Options) {
  const r = await autocannon({ duration: DURATION, ...opts });
  if (r.non2xx > 0) throw new Error(`${opts.url}: ${r.non2xx} non-2xx answers`);
  return { req_per_s: Math.round(r.requests.average), p99_ms: r.latency.p99 };
}

try {
  const baseline = await children.start("serve-baseline.ts");
  const runtime = await children.start("serve-runtime.ts", servedRuntimeEnv(bundle, join(tmp, "runtime.db")));
  const rt = runtime.url;
  const token = await signToken({ app_id: APP_ID, sub: "bench-user" });
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
        url: `${baseline.url}/echo`,
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
  writeResult("app-api.json", out);
} finally {
  await children.stop();
  rmSync(tmp, { recursive: true, force: true });
}
