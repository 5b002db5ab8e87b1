/** How a limit's usage is counted from the ledger. */
export type LimitPeriod = "day" | "month" | "run";

/**
 * The counting period of a limit id: `*_daily` / `*_per_day` → UTC calendar day;
 * `*_per_workflow` / `*_per_run` → per run (bounded by the launch scope, not the ledger);
 * everything else (e.g. `tokens_monthly`) → UTC calendar month.
 */
export function periodOf(limitId: string): LimitPeriod {
  if (/(_daily|_per_day)$/.test(limitId)) return "day";
  if (/(_per_workflow|_per_run)$/.test(limitId)) return "run";
  return "month";
}

/** Start of the period containing `now`, in ms since epoch (UTC). */
export function periodStart(period: LimitPeriod, now: Date): number {
  if (period === "day") return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (period === "month") return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  return 0;
}
