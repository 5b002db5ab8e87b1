// The usage-ledger latency probe shared by bench/ledger.ts (SQLite) and bench/postgres.ts: an
// in-process runtime at a frozen clock with generous app- and user-scoped limits, one limit
// reservation of each scope and GET /api/entitlements timed call by call, and the ratios of
// two such measurements (a ledger with events over an empty one).
import { createRuntimeApp, type RuntimeApp } from "../src/app.js";
import { frozenClock } from "../src/clock.js";
import { loadConfig } from "../src/config.js";
import { userAuthKeysFromConfig } from "../src/control/auth/keys.js";
import { createLogger } from "../src/logger.js";
import type { RuntimeStore } from "../src/store/open.js";
import { APP_ID, INTERNAL, PLUGIN_CALLS, SECRET, signToken, TOKENS } from "./harness.js";

/** The frozen clock of the ledger benches; their seeded events fall in its day and month. */
export const NOW = "2026-03-15T12:00:00Z";
/** The daily and monthly windows around `NOW` (ms), for rows seeded straight into the ledger. */
export const DAY = { start: Date.parse("2026-03-15T00:00:00Z"), end: Date.parse("2026-03-16T00:00:00Z") };
export const MONTH = { start: Date.parse("2026-03-01T00:00:00Z"), end: Date.parse("2026-04-01T00:00:00Z") };

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

/** `op` `n` times after 100 warm-up calls: mean, p50 and p99 in microseconds. */
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

/**
 * A started in-process runtime on `store` (`env` adds to its config) with the app manifest and
 * the user `vip`'s synced: `capabilities` and huge plugin-call and token limits.
 */
export async function ledgerRuntime(
  store: RuntimeStore,
  capabilities: string[],
  env: Record<string, string> = {},
): Promise<RuntimeApp> {
  const config = loadConfig({
    MOZAIKS_APP_ID: APP_ID,
    ...env,
    MOZAIKS_AUTH_HS256_SECRET: SECRET,
    MOZAIKS_INTERNAL_API_KEY: INTERNAL,
    MOZAIKS_LOG_LEVEL: "silent",
  });
  const app = createRuntimeApp({
    config: { ...config, appPath: undefined },
    store,
    clock: frozenClock(NOW),
    logger: createLogger("silent"),
    keys: { user: userAuthKeysFromConfig(config.auth), entitlements: {} },
  });
  await app.runtime.start();
  const limits = { [PLUGIN_CALLS]: 1_000_000_000_000, [TOKENS]: 1_000_000_000_000 };
  const limit_periods = { [PLUGIN_CALLS]: { period: "daily" }, [TOKENS]: { period: "monthly" } };
  for (const user of [undefined, "vip"]) {
    const res = await app.request("/api/internal/entitlement/sync", {
      method: "POST",
      headers: { "content-type": "application/json", "x-internal-api-key": INTERNAL },
      body: JSON.stringify({
        app_id: APP_ID,
        ...(user ? { user_id: user } : {}),
        capabilities,
        limits,
        limit_periods,
      }),
    });
    if (res.status !== 200) throw new Error(`sync failed: ${res.status} ${await res.text()}`);
  }
  return app;
}

/**
 * The probe of `app`: each call times 10,000 app-scoped reservations (user `someone`), 10,000
 * user-scoped ones (`vip`) and 3,000 GET /api/entitlements as `someone` (enough samples that a
 * few pauses of garbage collection do not decide the mean).
 */
export async function ledgerProbe(app: RuntimeApp) {
  const ctx = app.runtime.ctx;
  const appCtx = await ctx.state.resolve("someone");
  const userCtx = await ctx.state.resolve("vip");
  const auth = { authorization: `Bearer ${await signToken({ sub: "someone" }, Date.parse(NOW))}` };
  const reserve = (c: typeof appCtx, user: string) => () =>
    ctx.ledger.reserve({ ctx: c, limitId: PLUGIN_CALLS, userId: user, kind: "bench" });
  return async () => ({
    reservation_app_scoped: await time(10_000, reserve(appCtx, "someone")),
    reservation_user_scoped: await time(10_000, reserve(userCtx, "vip")),
    entitlements_get: await time(3000, async () => {
      const res = await app.request("/api/entitlements", { headers: auth });
      if (res.status !== 200) throw new Error(`entitlements: ${res.status}`);
      await res.arrayBuffer();
    }),
  });
}

type Latency = Awaited<ReturnType<Awaited<ReturnType<typeof ledgerProbe>>>>;

/** `full` over `empty`, per measurement: the mean and p50 ratios. */
export function ratiosOver(empty: Latency, full: Latency) {
  const ratio = (k: keyof Latency) => ({
    mean: +(full[k].mean_us / empty[k].mean_us).toFixed(2),
    p50: +(full[k].p50_us / empty[k].p50_us).toFixed(2),
  });
  return {
    reservation_app_scoped: ratio("reservation_app_scoped"),
    reservation_user_scoped: ratio("reservation_user_scoped"),
    entitlements_get: ratio("entitlements_get"),
  };
}
