import {
  AppIdSchema,
  CapabilityPatternSchema,
  EnforcementMapSchema,
  LimitsSchema,
  SubscriptionStatusSchema,
  TimestampSchema,
} from "@mozaiks/contracts";
import { z } from "zod";

/** Per-subscription adjustments on top of the plan (custom deals, blocks, trials). */
export const SubscriptionOverridesSchema = z.object({
  add_capabilities: z.array(CapabilityPatternSchema).default([]),
  remove_capabilities: z.array(CapabilityPatternSchema).default([]),
  limits: LimitsSchema.default({}),
  enforcement: EnforcementMapSchema.default({}),
  /** End of the trial; after it a `trialing` subscription falls back to the default plan. */
  trial_ends_at: TimestampSchema.optional(),
});
export type SubscriptionOverrides = z.infer<typeof SubscriptionOverridesSchema>;

/**
 * A subscription as the platform's billing system knows it. `expires_at` is the end of the
 * paid period (null: open-ended); `past_due_since` starts the grace period (falls back to
 * `expires_at`).
 */
export const SubscriptionSchema = z
  .object({
    app_id: AppIdSchema,
    user_id: z.string().min(1).optional(),
    tenant_id: z.string().min(1).optional(),
    plan: z.string().min(1),
    status: SubscriptionStatusSchema,
    expires_at: TimestampSchema.nullable().default(null),
    past_due_since: TimestampSchema.optional(),
    overrides: SubscriptionOverridesSchema.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.status === "past_due" && !s.past_due_since && !s.expires_at) {
      ctx.addIssue({
        code: "custom",
        path: ["past_due_since"],
        message: "a past_due subscription needs past_due_since or expires_at to start its grace period",
      });
    }
    if (s.status === "trialing" && !s.overrides?.trial_ends_at && !s.expires_at) {
      ctx.addIssue({
        code: "custom",
        path: ["overrides", "trial_ends_at"],
        message: "a trialing subscription needs overrides.trial_ends_at or expires_at",
      });
    }
  });
export type Subscription = z.infer<typeof SubscriptionSchema>;
export type SubscriptionInput = z.input<typeof SubscriptionSchema>;
