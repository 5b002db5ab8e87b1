import { z } from "zod";
import { EnforcementModeSchema, LimitValueSchema } from "./capability.js";
import { AppIdSchema, PlanTierSchema, SubscriptionStatusSchema, TimestampSchema } from "./common.js";
import { ManifestSignatureSchema } from "./manifest.js";
import { contract } from "./registry.js";

const NameKeySchema = z.string().regex(/^[a-z0-9_][a-z0-9_.-]*$/, {
  message: "key must match [a-z0-9_][a-z0-9_.-]*",
});

/** v1.1 entitlement sync payload, `POST /api/internal/entitlement/sync` (docs/reference/runtime-api.md). */
export const EntitlementSyncV11Schema = contract(
  z.looseObject({
    version: z.string().min(1),
    app_id: AppIdSchema,
    user_id: z.string().min(1).nullable().optional(),
    tenant_id: z.string().min(1).nullable().optional(),
    plan: z
      .object({
        id: z.string().min(1),
        name: z.string(),
        tier: PlanTierSchema,
        status: SubscriptionStatusSchema,
        expires_at: TimestampSchema.nullable(),
      })
      .partial({ name: true, tier: true, expires_at: true })
      .optional(),
    token_budget: z
      .object({
        period: z.enum(["monthly", "unlimited"]),
        total_tokens: z.object({
          limit: LimitValueSchema,
          used: z.number().int().min(0).default(0),
          enforcement: EnforcementModeSchema.default("soft"),
        }),
      })
      .optional(),
    features: z.record(NameKeySchema, z.boolean()).optional(),
    rate_limits: z.record(NameKeySchema, LimitValueSchema).optional(),
    source: z.string().default("platform"),
    issued_at: TimestampSchema.optional(),
    expires_at: TimestampSchema.nullable().optional(),
    _signature: ManifestSignatureSchema.optional(),
  }),
  {
    id: "entitlement-sync-v1.1",
    description:
      "Platform → runtime entitlement sync (v1.1): plan display data, token budget with enforcement, boolean features and rate limits.",
  },
);
export type EntitlementSyncV11 = z.infer<typeof EntitlementSyncV11Schema>;
export type EntitlementSyncV11Input = z.input<typeof EntitlementSyncV11Schema>;

const LegacyFields = z.object({
  userId: z.string().min(1).optional(),
  user_id: z.string().min(1).optional(),
  plan: z.string().min(1),
  status: z.enum(["active", "trialing", "past_due", "canceled"]),
  billingCycle: z.enum(["monthly", "yearly"]).optional(),
  billing_cycle: z.enum(["monthly", "yearly"]).optional(),
  nextBillingDate: z.string().optional(),
  next_billing_date: z.string().optional(),
  appId: AppIdSchema.optional(),
  app_id: AppIdSchema.optional(),
});

/**
 * Legacy subscription sync, `POST /api/internal/subscription/sync`
 * (docs/reference/runtime-api.md#internal-routes). camelCase and snake_case are both
 * accepted; the parsed value is normalized to snake_case.
 */
export const LegacySubscriptionSyncSchema = contract(
  LegacyFields.superRefine((v, ctx) => {
    if (!v.userId && !v.user_id) {
      ctx.addIssue({ code: "custom", path: ["userId"], message: "userId (or user_id) is required" });
    }
  }).transform((v) => ({
    user_id: (v.user_id ?? v.userId) as string,
    plan: v.plan,
    status: v.status,
    billing_cycle: v.billing_cycle ?? v.billingCycle,
    next_billing_date: v.next_billing_date ?? v.nextBillingDate,
    app_id: v.app_id ?? v.appId,
  })),
  {
    id: "legacy-subscription-sync",
    description:
      "Legacy subscription sync payload (userId, plan, status, billingCycle, nextBillingDate, appId), camelCase or snake_case; translated through the signed plan catalog.",
  },
);
export type LegacySubscriptionSync = z.output<typeof LegacySubscriptionSyncSchema>;
