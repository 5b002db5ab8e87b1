import { z } from "zod";
import {
  CAPABILITY_ID_PATTERN,
  CapabilityIdSchema,
  CapabilityPatternSchema,
  CapabilityTypeSchema,
  EnforcementMapSchema,
  LimitsSchema,
} from "./capability.js";
import { AppIdSchema, TimestampSchema } from "./common.js";
import {
  AnchorDaySchema,
  AnchorMonthSchema,
  anchorIssues,
  LimitPeriodSchema,
  LimitPeriodsSchema,
} from "./limit-period.js";
import { ManifestSignatureSchema } from "./manifest.js";
import { contract } from "./registry.js";

export const CapabilityDefinitionSchema = z
  .object({
    id: CapabilityIdSchema,
    type: CapabilityTypeSchema,
    display_name: z.string().min(1),
    description: z.string().default(""),
    unit: z.string().min(1).optional(),
    period: LimitPeriodSchema.optional(),
    anchor_day: AnchorDaySchema.optional(),
    anchor_month: AnchorMonthSchema.optional(),
  })
  .superRefine((def, ctx) => {
    for (const issue of anchorIssues(def)) ctx.addIssue({ code: "custom", ...issue });
    const m = CAPABILITY_ID_PATTERN.exec(def.id);
    if (m && m[1] !== def.type) {
      ctx.addIssue({
        code: "custom",
        path: ["type"],
        message: `type "${def.type}" does not match id ${def.id}`,
      });
    }
  });
export type CapabilityDefinition = z.infer<typeof CapabilityDefinitionSchema>;

/** `capabilities.json`: the platform's capability registry. */
export const CapabilityRegistrySchema = contract(
  z.object({
    version: z.string().optional(),
    capabilities: z.array(CapabilityDefinitionSchema),
  }),
  {
    id: "capability-registry",
    description:
      "capabilities.json: every capability the platform can grant (id, type, display name, description; unit and period for limits).",
  },
);
export type CapabilityRegistry = z.infer<typeof CapabilityRegistrySchema>;

export const PlanDefinitionSchema = z.object({
  id: z.string().regex(/^[a-z0-9_][a-z0-9_-]*$/, { message: "plan id must match [a-z0-9_][a-z0-9_-]*" }),
  display_name: z.string().min(1),
  tier: z.string().optional(),
  description: z.string().optional(),
  extends: z.string().optional(),
  capabilities: z.array(CapabilityPatternSchema).default([]),
  limits: LimitsSchema.default({}),
  enforcement: EnforcementMapSchema.default({}),
});
export type PlanDefinition = z.infer<typeof PlanDefinitionSchema>;

/** `plan_capabilities.json`: plan → capabilities mapping, with inheritance and wildcards. */
export const PlanCapabilitiesSchema = contract(
  z.object({
    version: z.string().optional(),
    default_plan: z.string().min(1),
    past_due_grace_days: z.number().int().min(0).default(7),
    manifest_ttl_seconds: z.number().int().positive().default(86_400),
    plans: z.array(PlanDefinitionSchema).min(1),
  }),
  {
    id: "plan-capabilities",
    description:
      "plan_capabilities.json: plans with capabilities (ids or wildcards like cap.workflow.*), limits, enforcement and optional `extends`; lifecycle settings.",
  },
);
export type PlanCapabilities = z.infer<typeof PlanCapabilitiesSchema>;
export type PlanCapabilitiesInput = z.input<typeof PlanCapabilitiesSchema>;

export const ResolvedPlanSchema = z.object({
  display_name: z.string(),
  tier: z.string().optional(),
  capabilities: z.array(CapabilityIdSchema),
  limits: LimitsSchema,
  enforcement: EnforcementMapSchema.default({}),
});
export type ResolvedPlan = z.infer<typeof ResolvedPlanSchema>;

/**
 * `plan_catalog.json`: every plan already resolved to capabilities + limits, signed by the
 * platform. The runtime uses it to translate legacy subscription syncs without knowing plans.
 */
export const PlanCatalogSchema = contract(
  z.looseObject({
    app_id: AppIdSchema.optional(),
    default_plan: z.string().min(1),
    issued_at: TimestampSchema.optional(),
    expires_at: TimestampSchema.nullable().optional(),
    plans: z.record(z.string(), ResolvedPlanSchema),
    limit_periods: LimitPeriodsSchema.optional(),
    _signature: ManifestSignatureSchema.optional(),
  }),
  {
    id: "plan-catalog",
    description:
      "plan_catalog.json: signed, pre-resolved plans (capabilities + limits, and `limit_periods` from the registry) used by the runtime to translate legacy subscription syncs.",
  },
);
export type PlanCatalog = z.infer<typeof PlanCatalogSchema>;
