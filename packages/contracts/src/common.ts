import { z } from "zod";

/** ISO-8601 timestamp with a timezone offset (`Z` or `+hh:mm`). */
export const TimestampSchema = z.iso.datetime({ offset: true }).describe("ISO-8601 timestamp with timezone.");

export const PlanTierSchema = z.enum(["free", "starter", "pro", "enterprise", "unlimited"]);
export type PlanTier = z.infer<typeof PlanTierSchema>;

export const SubscriptionStatusSchema = z.enum(["active", "trialing", "past_due", "canceled"]);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatusSchema>;

/** Plan display metadata. Shown to users, never branched on by the runtime (docs/architecture.md). */
export const PlanDisplaySchema = z
  .looseObject({
    id: z.string().min(1).optional(),
    name: z.string().optional(),
    tier: z.string().optional(),
    status: SubscriptionStatusSchema.optional(),
    expires_at: TimestampSchema.nullable().optional(),
  })
  .describe("Plan display metadata; informational only.");
export type PlanDisplay = z.infer<typeof PlanDisplaySchema>;

export const AppIdSchema = z.string().min(1).max(128).describe("Application id.");
