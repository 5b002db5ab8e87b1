import type { EntitlementManifest, LimitPeriod, LimitPeriodSpec } from "@mozaiks/contracts";

export type { LimitPeriod, LimitPeriodSpec };

/** One counting window in ms since epoch (UTC); `end` is 0 for a `none` gauge (never resets). */
export interface UsageWindow {
  start: number;
  end: number;
}

/** The window of a `none` limit: one counter for ever. */
export const FOREVER: UsageWindow = { start: 0, end: 0 };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The counting period a limit id implies when the manifest does not say (manifests of older
 * platforms): `*_daily` / `*_per_day` → daily; `*_per_workflow` / `*_per_run` → per run;
 * everything else (e.g. `tokens_monthly`) → monthly.
 */
export function periodFromSuffix(limitId: string): LimitPeriodSpec {
  if (/(_daily|_per_day)$/.test(limitId)) return { period: "daily" };
  if (/(_per_workflow|_per_run)$/.test(limitId)) return { period: "run" };
  return { period: "monthly" };
}

/** Midnight UTC of `day` in `month` of `year`, clamped to the month's last day. */
function anchorDate(year: number, month: number, day: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(day, last));
}

/**
 * The window of `spec` that contains `now` (UTC), or undefined for `run` limits (bounded by the
 * launch scope, never counted). Weeks start on Monday 00:00 (ISO 8601); a monthly `anchor_day`
 * past the end of a shorter month starts that month's window on its last day; yearly windows
 * start on `anchor_month`/`anchor_day` (default 1 January).
 *
 * @example
 * ```ts
 * windowOf({ period: "monthly", anchor_day: 15 }, new Date("2026-03-10T00:00:00Z"));
 * // { start: 2026-02-15T00:00Z, end: 2026-03-15T00:00Z } (as ms)
 * ```
 */
export function windowOf(spec: LimitPeriodSpec, now: Date): UsageWindow | undefined {
  const t = now.getTime();
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  switch (spec.period) {
    case "run":
      return undefined;
    case "none":
      return FOREVER;
    case "hourly": {
      const start = Math.floor(t / HOUR) * HOUR;
      return { start, end: start + HOUR };
    }
    case "daily": {
      const start = Math.floor(t / DAY) * DAY;
      return { start, end: start + DAY };
    }
    case "weekly": {
      const day = Math.floor(t / DAY) * DAY;
      // 1970-01-01 was a Thursday: days since the last Monday.
      const sinceMonday = (Math.floor(t / DAY) + 3) % 7;
      const start = day - sinceMonday * DAY;
      return { start, end: start + 7 * DAY };
    }
    case "monthly": {
      const d = spec.anchor_day ?? 1;
      let start = anchorDate(y, m, d);
      if (start > t) start = anchorDate(y, m - 1, d);
      const s = new Date(start);
      return { start, end: anchorDate(s.getUTCFullYear(), s.getUTCMonth() + 1, d) };
    }
    case "yearly": {
      const month = (spec.anchor_month ?? 1) - 1;
      const d = spec.anchor_day ?? 1;
      let start = anchorDate(y, month, d);
      if (start > t) start = anchorDate(y - 1, month, d);
      const sy = new Date(start).getUTCFullYear();
      return { start, end: anchorDate(sy + 1, month, d) };
    }
  }
}

/** When the window resets, as ISO-8601 (null for gauges). */
export function resetsAt(window: UsageWindow | undefined): string | null {
  return window && window.end > 0 ? new Date(window.end).toISOString() : null;
}

/**
 * Reads each limit's period from the manifest (`limit_periods`, signed by the platform). A
 * manifest that does not carry a limit's period (older platforms) falls back to the id suffix,
 * logged once per limit id; the runtime's own defaults (`source: default`) know their periods.
 */
export class LimitPeriodResolver {
  readonly #warned = new Set<string>();

  constructor(private readonly logger: { warn(obj: object, msg: string): void }) {}

  specFor(manifest: EntitlementManifest, source: string, limitId: string): LimitPeriodSpec {
    const signed = manifest.limit_periods?.[limitId];
    if (signed) return signed;
    const fallback = periodFromSuffix(limitId);
    if (source !== "default" && !this.#warned.has(limitId)) {
      this.#warned.add(limitId);
      this.logger.warn(
        { limit_id: limitId, period: fallback.period },
        "manifest has no limit_periods entry for this limit: counting by its id suffix",
      );
    }
    return fallback;
  }
}
