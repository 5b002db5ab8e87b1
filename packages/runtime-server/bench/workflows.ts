// Workflow bench on loopback: a 3-step workflow (word_count tool → model on a loopback
// OpenAI-protocol server, streaming → echo tool) launched and followed to its end by 10
// concurrent clients, then one run followed by 100 SSE subscribers. Written to
// bench/results/runtime-server-workflows.json at the repository root.
// Usage: pnpm bench:workflows (BENCH_DURATION_S sets the launch phase, default 5 s).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { startModelServer } from "../test/workflows/fixtures/model-servers.js";
import { threeSteps } from "../test/workflows/fixtures/three-steps.js";
import {
  APP_ID,
  INTERNAL,
  loadAverage,
  machineAt,
  processes,
  ROOT,
  servedRuntimeEnv,
  signToken,
  writeResult,
} from "./harness.js";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONCURRENCY = 10;
const SUBSCRIBERS = 100;
/** How long the fan-out run's model takes, so every subscriber is attached before it ends. */
const SLOW_MODEL_MS = 1_500;

const tmp = mkdtempSync(join(tmpdir(), "mozaiks-workflow-bench-"));
const bundle = join(tmp, "app");
const children = processes();

function writeBundle(): void {
  mkdirSync(join(bundle, "plugins"), { recursive: true });
  writeFileSync(join(bundle, "app.json"), JSON.stringify({ app_id: APP_ID }));
  for (const p of ["echo", "word_count"]) {
    cpSync(join(ROOT, "examples/app/plugins", p), join(bundle, "plugins", p), { recursive: true });
  }
  const workflow = (name: string, model: string) => {
    mkdirSync(join(bundle, "workflows", name), { recursive: true });
    const def = {
      schema_version: "mozaiks.workflow.v1",
      name,
      ...threeSteps({ model, prompt: "{{steps.count.output.words}} words: {{input.text}}", max_tokens: 64 }),
    };
    writeFileSync(join(bundle, "workflows", name, "workflow.yaml"), stringify(def));
  };
  workflow("three_steps", "bench-fast");
  workflow("slow_three_steps", "bench-slow");
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return +(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0).toFixed(1);
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { p50_ms: percentile(s, 50), p99_ms: percentile(s, 99), max_ms: percentile(s, 100) };
}

async function main() {
  const startLoad = loadAverage();
  writeBundle();
  const model = await startModelServer("openai", {
    reply: () => ({ text: "The text is about workflows and their scope.", usage: { input: 24, output: 9 } }),
    delayMs: (body) => (body.model === "bench-slow" ? SLOW_MODEL_MS : 0),
  });
  const token = await signToken({ sub: "bench-user", app_id: APP_ID });
  const runtime = await children.start("serve-runtime.ts", {
    ...servedRuntimeEnv(bundle, join(tmp, "runtime.db")),
    MOZAIKS_MODEL_PROVIDERS: JSON.stringify({
      schema_version: "mozaiks.models.v1",
      default: "loopback",
      providers: [{ name: "loopback", kind: "openai", base_url: model.baseUrl, model: "bench-fast" }],
    }),
  });
  const rt = runtime.url;
  const auth = { authorization: `Bearer ${token}` };
  // No per-day run limit for the bench user: only what the workflow needs, no limits.
  const sync = await fetch(`${rt}/api/internal/entitlement/sync`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL },
    body: JSON.stringify({
      app_id: APP_ID,
      capabilities: ["cap.workflow.basic", "cap.tool.basic", "cap.tool.word_count"],
      limits: {},
    }),
  });
  if (!sync.ok) throw new Error(`manifest sync failed: ${sync.status} ${await sync.text()}`);

  const text = "Mozaiks runs workflows. The control layer decides what a run may do. The engine executes.";
  const launch = async (workflow: string) => {
    const res = await fetch(`${rt}/api/workflows/${workflow}/runs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ input: { text } }),
    });
    if (res.status !== 201) throw new Error(`launch: ${res.status} ${await res.text()}`);
    return (await res.json()) as { run_id: string; events_url: string };
  };
  const follow = async (eventsUrl: string) => {
    const res = await fetch(`${rt}${eventsUrl}`, { headers: auth });
    const body = await res.text();
    return {
      events: body.split("\n\n").filter((b) => b.includes("event:")).length,
      completed: body.includes("orchestration.run_completed"),
    };
  };

  // Warm up (worker pool, tsx compilation of word_count, connections).
  for (let i = 0; i < 3; i++) await follow((await launch("three_steps")).events_url);

  // Phase 1: 10 clients, each launching a run and following it to its end, for DURATION_S.
  const launchMs: number[] = [];
  const runMs: number[] = [];
  let failed = 0;
  const t0 = performance.now();
  const deadline = t0 + DURATION_S * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const a = performance.now();
        const run = await launch("three_steps");
        launchMs.push(performance.now() - a);
        const r = await follow(run.events_url);
        runMs.push(performance.now() - a);
        if (!r.completed) failed += 1;
      }
    }),
  );
  const elapsedS = (performance.now() - t0) / 1000;

  // Phase 2: one run followed by 100 subscribers attached while its model is answering.
  const slow = await launch("slow_three_steps");
  const launchedAt = performance.now();
  const subs = await Promise.all(
    Array.from({ length: SUBSCRIBERS }, async () => {
      const r = await follow(slow.events_url);
      return { ...r, endedMs: performance.now() - launchedAt };
    }),
  );
  const ends = subs.map((s) => s.endedMs).sort((a, b) => a - b);

  const result = {
    package: "@mozaiks/runtime-server",
    bench: "workflows",
    date: new Date().toISOString(),
    machine: machineAt(startLoad),
    workflow: "word_count tool → model (loopback OpenAI-protocol server, streaming, usage) → echo tool",
    launches: {
      concurrency: CONCURRENCY,
      duration_s: +elapsedS.toFixed(2),
      runs_completed: runMs.length - failed,
      runs_failed: failed,
      launches_per_s: +(runMs.length / elapsedS).toFixed(1),
      launch_request: stats(launchMs),
      run_end_to_end: stats(runMs),
      model_requests: model.requests.length,
    },
    sse_fan_out: {
      subscribers: SUBSCRIBERS,
      model_latency_ms: SLOW_MODEL_MS,
      all_saw_completion: subs.every((s) => s.completed),
      events_per_subscriber: [...new Set(subs.map((s) => s.events))],
      stream_end_after_launch: stats(ends),
      spread_first_to_last_ms: +((ends.at(-1) ?? 0) - (ends[0] ?? 0)).toFixed(1),
    },
    load_average_at_end: loadAverage(),
  };
  await model.close();
  writeResult("runtime-server-workflows.json", result);
}

try {
  await main();
} finally {
  await children.stop();
  rmSync(tmp, { recursive: true, force: true });
}
