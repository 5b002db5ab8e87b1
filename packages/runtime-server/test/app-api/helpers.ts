import type { RuntimeApp } from "../../src/app.js";
import { INTERNAL_KEY, signToken } from "../helpers/keys.js";
import { bearer } from "../helpers/runtime.js";
import { syncManifest } from "../workflows/helpers.js";

/** The limits the app-facing API tests decide on, one per enforcement mode and period kind. */
export const LIMITS = {
  exports: "cap.limit.exports_daily",
  warned: "cap.limit.reports_daily",
  unenforced: "cap.limit.emails_daily",
  seats: "cap.limit.seats",
  perRun: "cap.limit.steps_per_run",
} as const;

/** An app-level manifest with `cap.feature.export` and the {@link LIMITS}. */
export async function syncAppLimits(app: RuntimeApp, exports = 3): Promise<void> {
  await syncManifest(app, {
    capabilities: ["cap.tool.basic", "cap.feature.export"],
    limits: {
      [LIMITS.exports]: exports,
      [LIMITS.warned]: 1,
      [LIMITS.unenforced]: 1,
      [LIMITS.seats]: 2,
      [LIMITS.perRun]: 10,
    },
    enforcement: {
      [LIMITS.exports]: "hard",
      [LIMITS.warned]: "warn",
      [LIMITS.unenforced]: "none",
      [LIMITS.seats]: "hard",
    },
    limit_periods: {
      [LIMITS.exports]: { period: "daily" },
      [LIMITS.warned]: { period: "daily" },
      [LIMITS.unenforced]: { period: "daily" },
      [LIMITS.seats]: { period: "none" },
      [LIMITS.perRun]: { period: "run" },
    },
  });
}

/** POSTs `body` as JSON with a user token (`sub`) or, with `sub: null`, the internal key. */
export async function post(
  app: RuntimeApp,
  path: string,
  body: unknown,
  sub: string | null = "user-1",
): Promise<Response> {
  const auth = sub === null ? { "x-internal-api-key": INTERNAL_KEY } : bearer(await signToken({ sub }));
  return app.request(path, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** GETs `path` with a user token (`sub`) or, with `sub: null`, the internal key. */
export async function get(app: RuntimeApp, path: string, sub: string | null = "user-1"): Promise<Response> {
  const auth = sub === null ? { "x-internal-api-key": INTERNAL_KEY } : bearer(await signToken({ sub }));
  return app.request(path, { headers: auth });
}
