import { z } from "zod";
import { LimitIdSchema } from "./capability.js";

/**
 * How a limit's usage is counted (UTC): a calendar `hourly | daily | weekly | monthly | yearly`
 * window, `none` (a gauge that never resets, e.g. seats; it can be released), or `run` (per
 * workflow run, bounded by the launch scope and never counted in the ledger).
 */
export const LimitPeriodSchema = z
  .enum(["hourly", "daily", "weekly", "monthly", "yearly", "none", "run"])
  .describe(
    "UTC counting window: hourly, daily, weekly (from Monday 00:00), monthly, yearly; none = never resets (a gauge); run = per workflow run.",
  );
export type LimitPeriod = z.infer<typeof LimitPeriodSchema>;

export const AnchorDaySchema = z
  .number()
  .int()
  .min(1)
  .max(31)
  .describe(
    "Billing anchor: day of the month the window starts on (a shorter month starts on its last day).",
  );
export const AnchorMonthSchema = z
  .number()
  .int()
  .min(1)
  .max(12)
  .describe("Billing anchor of a yearly window: the month (1-12) it starts in.");

/** Anchors that do not fit the period (shared by the manifest's and the registry's schema). */
export function anchorIssues(spec: {
  period?: LimitPeriod | undefined;
  anchor_day?: number | undefined;
  anchor_month?: number | undefined;
}): Array<{ path: string[]; message: string }> {
  const issues: Array<{ path: string[]; message: string }> = [];
  const p = spec.period ?? "(no period)";
  if (spec.anchor_day !== undefined && p !== "monthly" && p !== "yearly") {
    issues.push({
      path: ["anchor_day"],
      message: `anchor_day applies to monthly and yearly periods, not ${p}`,
    });
  }
  if (spec.anchor_month !== undefined && p !== "yearly") {
    issues.push({ path: ["anchor_month"], message: `anchor_month applies to yearly periods, not ${p}` });
  }
  return issues;
}

/**
 * One limit's period as the platform signs it into a manifest: `{period, anchor_day?,
 * anchor_month?}`. `anchor_day` is for `monthly`/`yearly`, `anchor_month` for `yearly` only.
 */
export const LimitPeriodSpecSchema = z
  .object({
    period: LimitPeriodSchema,
    anchor_day: AnchorDaySchema.optional(),
    anchor_month: AnchorMonthSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    for (const issue of anchorIssues(spec)) ctx.addIssue({ code: "custom", ...issue });
  });
export type LimitPeriodSpec = z.infer<typeof LimitPeriodSpecSchema>;

/** `limit_periods` of a manifest or plan catalog: limit id → its period. */
export const LimitPeriodsSchema = z.record(LimitIdSchema, LimitPeriodSpecSchema);
export type LimitPeriods = z.infer<typeof LimitPeriodsSchema>;
