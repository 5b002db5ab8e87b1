import { z } from "zod";
import { LimitIdSchema } from "./capability.js";
import { contract } from "./registry.js";

/**
 * `POST /api/internal/usage/reserve` and `/release` (internal key): take or give back units of
 * one limit for an app's own backend (e.g. seats). `id` makes the call idempotent: a repeated
 * id answers the first result without counting again. Without `user_id` the app is charged;
 * with one, whoever that user's limits count for (the user when they have a user-scoped
 * manifest, else the app).
 */
export const UsageGaugeRequestSchema = contract(
  z.object({
    id: z.string().min(1).max(200),
    limit_id: LimitIdSchema,
    amount: z.number().int().min(1).max(1_000_000_000).default(1),
    user_id: z.string().min(1).nullable().optional(),
  }),
  {
    id: "usage-gauge-request",
    description:
      "Reserve or release units of one limit (internal API); idempotent by `id`. Release applies to gauges (period `none`) and never goes below 0.",
  },
);
export type UsageGaugeRequest = z.infer<typeof UsageGaugeRequestSchema>;

export const UsageGaugeResponseSchema = contract(
  z.object({
    id: z.string(),
    limit_id: z.string(),
    subject: z.object({ scope: z.enum(["app", "user"]), id: z.string() }),
    /** Units this call changed the counter by (a release is negative, clamped at 0 usage). */
    delta: z.number().int(),
    used: z.number().int(),
    limit: z.number().int(),
    remaining: z.number().int().nullable(),
    /** True when `id` was seen before: nothing was counted again. */
    duplicate: z.boolean(),
  }),
  {
    id: "usage-gauge-response",
    description: "Result of a reserve/release: the counter's change, its usage now and what remains.",
  },
);
export type UsageGaugeResponse = z.infer<typeof UsageGaugeResponseSchema>;
