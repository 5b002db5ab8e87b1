// Benchmarks the hot paths against raw baselines measured in the same run and writes
// bench/results/entitlements-core.json at the repository root.
import { createHmac, createPublicKey, createSecretKey, timingSafeEqual, verify } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { Bench } from "tinybench";
import {
  CapabilityEvaluator,
  canonicalize,
  Ed25519ManifestSigner,
  generateEd25519KeyPair,
  HmacManifestSigner,
  pythonCanonicalJson,
  toJwks,
  verifyManifest,
} from "../src/index.js";

const capabilities = [
  ...["basic", "analytics", "reports", "onboarding", "support", "billing", "export_flow", "review"].map(
    (n) => `cap.workflow.${n}`,
  ),
  ...["basic", "generate_report", "send_email", "search", "summarize", "translate", "ocr", "chart"].map(
    (n) => `cap.tool.${n}`,
  ),
  ...["view", "export", "share", "archive"].map((n) => `cap.artifact.${n}`),
];
const manifest = {
  app_id: "bench-app",
  user_id: "user_123",
  metadata: { capabilities, capability_source: "plan_capabilities.json" },
  limits: {
    "cap.limit.tokens_monthly": 1_000_000,
    "cap.limit.workflows_daily": 500,
    "cap.limit.tools_per_workflow": 40,
    "cap.limit.seats": 25,
  },
  enforcement: { "cap.limit.tokens_monthly": "soft" as const },
  issued_at: "2026-01-01T00:00:00Z",
  expires_at: "2099-01-01T00:00:00Z",
};

// Half hits, half misses, cycled so neither path is favoured.
const probes = [...capabilities.slice(0, 8), ...capabilities.slice(0, 8).map((c) => `${c}_premium`)];
const evaluator = new CapabilityEvaluator(manifest);
const rawSet = new Set(capabilities);
const rawLimits = new Map(Object.entries(manifest.limits));

const keys = generateEd25519KeyPair("bench-k1");
const jwks = toJwks([keys.publicJwk]);
const edSigned = new Ed25519ManifestSigner({ privateKey: keys.privateJwk, kid: keys.kid }).sign(manifest);
const hmacKey = "bench-signing-key";
const hmacSigned = new HmacManifestSigner({ signingKey: hmacKey }).sign(manifest);
const now = new Date("2026-06-01T00:00:00Z");

// Raw baselines: the crypto primitive alone over bytes canonicalized ahead of time.
const { _signature: edSig, ...edBody } = edSigned;
const edBytes = Buffer.from(canonicalize(edBody));
const edSigBytes = Buffer.from(edSig.value, "base64url");
const edPublic = createPublicKey({ key: keys.publicJwk, format: "jwk" });
const { _signature: hmacSig, ...hmacBody } = hmacSigned;
const hmacBytes = Buffer.from(pythonCanonicalJson(hmacBody));
const hmacExpected = Buffer.from(hmacSig, "hex");
const hmacKeyObject = createSecretKey(Buffer.from(hmacKey));

for (const [name, ok] of [
  ["ed25519 raw", verify(null, edBytes, edPublic, edSigBytes)],
  ["ed25519 lib", verifyManifest(edSigned, { jwks, now }).ok],
  ["hmac raw", timingSafeEqual(createHmac("sha256", hmacKey).update(hmacBytes).digest(), hmacExpected)],
  ["hmac lib", verifyManifest(hmacSigned, { hmacKey, now }).ok],
] as const) {
  if (!ok) throw new Error(`bench precondition failed: ${name} does not verify`);
}

let sink = 0;
let i = 0;
// Several short rounds, reporting medians: on a shared machine a burst of outside load then
// skews one round of one task instead of the whole comparison.
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const bench = new Bench({ time: Number(process.env.BENCH_TIME_MS ?? 400), warmup: true });
bench
  .add("raw Set.has", () => {
    if (rawSet.has(probes[i++ & 15] as string)) sink++;
  })
  .add("evaluator.has", () => {
    if (evaluator.has(probes[i++ & 15] as string)) sink++;
  })
  .add("raw limit compare (Map.get + <=)", () => {
    const limit = rawLimits.get("cap.limit.workflows_daily");
    if (limit === undefined || limit === -1 || (i++ & 1023) + 1 <= limit) sink++;
  })
  .add("evaluator.checkLimit", () => {
    if (evaluator.checkLimit("cap.limit.workflows_daily", i++ & 1023)) sink++;
  })
  .add("raw crypto.verify (Ed25519, pre-canonicalized bytes)", () => {
    if (verify(null, edBytes, edPublic, edSigBytes)) sink++;
  })
  .add("verifyManifest (Ed25519, JWKS)", () => {
    if (verifyManifest(edSigned, { jwks, now }).ok) sink++;
  })
  .add("raw createHmac + timingSafeEqual (pre-canonicalized bytes)", () => {
    if (timingSafeEqual(createHmac("sha256", hmacKey).update(hmacBytes).digest(), hmacExpected)) sink++;
  })
  .add("raw createHmac (imported KeyObject) + timingSafeEqual (pre-canonicalized bytes)", () => {
    if (timingSafeEqual(createHmac("sha256", hmacKeyObject).update(hmacBytes).digest(), hmacExpected)) sink++;
  })
  .add("JSON.stringify + createHmac + timingSafeEqual (serialize per call, not canonical)", () => {
    const bytes = JSON.stringify(hmacBody);
    if (
      timingSafeEqual(createHmac("sha256", hmacKey).update(bytes).digest(), hmacExpected) ||
      bytes.length > 0
    )
      sink++;
  })
  .add("verifyManifest (HMAC)", () => {
    if (verifyManifest(hmacSigned, { hmacKey, now }).ok) sink++;
  });

bench
  .add("JSON.stringify", () => {
    sink += JSON.stringify(edBody).length;
  })
  .add("canonicalize (JCS)", () => {
    sink += canonicalize(edBody).length;
  })
  .add("pythonCanonicalJson", () => {
    sink += pythonCanonicalJson(hmacBody).length;
  });

const perRound: Array<Record<string, number>> = [];
for (let r = 0; r < rounds; r++) {
  await bench.run();
  const round: Record<string, number> = {};
  for (const task of bench.tasks) {
    const res = task.result;
    if (res === undefined || !("throughput" in res)) throw new Error(`task ${task.name} produced no result`);
    round[task.name] = res.throughput.mean;
  }
  perRound.push(round);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? Number.NaN) + (s[m] ?? Number.NaN)) / 2;
}

const ops: Record<string, number> = {};
for (const task of bench.tasks)
  ops[task.name] = Math.round(median(perRound.map((r) => r[task.name] ?? Number.NaN)));
// Ratios are taken within each round (same conditions), then the median across rounds.
const ratio = (a: string, b: string) =>
  Math.round(median(perRound.map((r) => (r[a] ?? Number.NaN) / (r[b] ?? Number.NaN))) * 1000) / 1000;

const results = {
  package: "@mozaiks/entitlements-core",
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  cpus: cpus().length,
  cpu_model: cpus()[0]?.model ?? "unknown",
  rounds,
  time_per_task_per_round_ms: bench.opts.time,
  manifest: { capabilities: capabilities.length, limits: Object.keys(manifest.limits).length },
  ops_per_second: ops,
  ratios: {
    "evaluator.has / raw Set.has": ratio("evaluator.has", "raw Set.has"),
    "evaluator.checkLimit / raw limit compare": ratio(
      "evaluator.checkLimit",
      "raw limit compare (Map.get + <=)",
    ),
    "verifyManifest Ed25519 / raw crypto.verify": ratio(
      "verifyManifest (Ed25519, JWKS)",
      "raw crypto.verify (Ed25519, pre-canonicalized bytes)",
    ),
    "verifyManifest HMAC / raw createHmac": ratio(
      "verifyManifest (HMAC)",
      "raw createHmac + timingSafeEqual (pre-canonicalized bytes)",
    ),
    "verifyManifest HMAC / raw createHmac with imported KeyObject": ratio(
      "verifyManifest (HMAC)",
      "raw createHmac (imported KeyObject) + timingSafeEqual (pre-canonicalized bytes)",
    ),
    "verifyManifest HMAC / JSON.stringify + createHmac": ratio(
      "verifyManifest (HMAC)",
      "JSON.stringify + createHmac + timingSafeEqual (serialize per call, not canonical)",
    ),
    "canonicalize (JCS) / JSON.stringify": ratio("canonicalize (JCS)", "JSON.stringify"),
    "pythonCanonicalJson / JSON.stringify": ratio("pythonCanonicalJson", "JSON.stringify"),
  },
  targets: {
    "evaluator.has / raw Set.has": 0.5,
    "verifyManifest Ed25519 / raw crypto.verify": 0.8,
    "verifyManifest HMAC / raw createHmac": 0.8,
  },
  notes:
    "Crypto baselines run the bare primitive over bytes canonicalized once before the run; the library figures include canonicalizing the document on every call (it must: a cached form would miss later mutation), key lookup by kid, _signature parsing and the expiry check. For Ed25519 the signature dominates, so the ratio is close to 1. For HMAC, serializing a small manifest costs about as much as the digest, so even JSON.stringify + createHmac (not canonical) reaches only about half the bare-digest rate; the HMAC target is not met. ops/s are medians over the rounds and ratios are medians of per-round ratios; figures come from a shared 2-core machine and vary by about ±20% between runs.",
};

const ratios: Record<string, number> = results.ratios;
const met = Object.fromEntries(
  Object.entries(results.targets).map(([k, target]) => [k, (ratios[k] ?? 0) >= target]),
);
Object.assign(results, { targets_met: met });

const out = new URL("../../../bench/results/entitlements-core.json", import.meta.url);
mkdirSync(new URL(".", out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.table(Object.entries(ops).map(([name, v]) => ({ task: name, "ops/s": v.toLocaleString("en-US") })));
console.log(results.ratios);
console.log(`wrote ${out.pathname} (sink ${sink > 0 ? "ok" : "empty"})`);
