import { z } from "zod";
import { CapabilityIdSchema, EnforcementModeSchema, LimitIdSchema } from "./capability.js";
import { TimestampSchema } from "./common.js";
import { LimitPeriodSchema } from "./limit-period.js";
import { contract } from "./registry.js";

// The app-facing API (docs/reference/runtime-api.md#app-facing-api): an app's own code and
// backend ask "may this user do X?" (check), record usage of any metric (track) and read usage
// history (usage), without parsing GET /api/entitlements.

/** A user id named in a body or query: required with the internal key, the caller's own with a token. */
const UserIdSchema = z.string().min(1).max(200).describe("The user the call is about.");

export const CapabilityCheckRequestSchema = z
  .strictObject({
    capability: CapabilityIdSchema,
    user_id: UserIdSchema.optional(),
  })
  .describe("Does the user hold this capability?");

export const LimitCheckRequestSchema = z
  .strictObject({
    limit: LimitIdSchema,
    /** Units the caller wants to use (default 1). */
    requested: z.number().int().min(1).max(1_000_000_000).default(1),
    /** Take the units in the same atomic step as the check (the reservation execute uses). */
    consume: z.boolean().default(false),
    /** Repeating a consuming check with the same key answers the first decision, consuming once. */
    idempotency_key: z.string().min(1).max(200).optional(),
    user_id: UserIdSchema.optional(),
  })
  .describe("Would `requested` more units fit the limit? With `consume`, take them atomically.");

/** `POST /api/check` body: a capability check or a limit check. */
export const CheckRequestSchema = contract(z.union([CapabilityCheckRequestSchema, LimitCheckRequestSchema]), {
  id: "check-request",
  description:
    "POST /api/check: `{capability}` or `{limit, requested, consume, idempotency_key}`; `user_id` is required with the internal key.",
});
export type CheckRequest = z.input<typeof CheckRequestSchema>;

/**
 * Why a check decided as it did. Capability checks: `granted` / `capability_missing`. Limit
 * checks: `within_limit`, `unlimited` (no limit or -1), `not_enforced` (mode `none`),
 * `exceeded_warn` (over the limit under `warn`: allowed with a warning), `limit_exceeded`
 * (denied under `soft`/`hard`), `per_run` (a per-run limit, bounded by the launch scope).
 */
export const CheckReasonCodeSchema = z.enum([
  "granted",
  "capability_missing",
  "within_limit",
  "unlimited",
  "not_enforced",
  "exceeded_warn",
  "limit_exceeded",
  "per_run",
]);
export type CheckReasonCode = z.infer<typeof CheckReasonCodeSchema>;

export const CheckResponseSchema = contract(
  z.object({
    allowed: z.boolean(),
    reason_code: CheckReasonCodeSchema,
    user_id: z.string(),
    capability: CapabilityIdSchema.optional(),
    limit: LimitIdSchema.optional(),
    /** The limit's value (-1 unlimited); null for capability checks. */
    limit_value: z.number().int().nullable(),
    /** Usage in the current window, after this check's consumption when it consumed. */
    used: z.number().int().nullable(),
    remaining: z.number().int().nullable(),
    period: LimitPeriodSchema.nullable(),
    /** Start of the next window (ISO-8601 UTC); null for gauges, per-run limits and capabilities. */
    resets_at: z.string().nullable(),
    enforcement: EnforcementModeSchema.nullable(),
    /** Units this check took (0 unless `consume` and allowed). */
    consumed: z.number().int().min(0),
    /** Set when over the limit under `warn` enforcement (the same text as the warning header). */
    warning: z.string().optional(),
    /** True when this answer replays the first decision of its `idempotency_key`. */
    replayed: z.boolean().optional(),
  }),
  {
    id: "check-response",
    description:
      "POST /api/check answer (200 for every decision): allowed, why, and the limit's value, usage, remaining units, period, reset time and enforcement.",
  },
);
export type CheckResponse = z.infer<typeof CheckResponseSchema>;

/** At most this many events in one `POST /api/track` batch. */
export const MAX_TRACK_BATCH = 1000;

export const TrackEventSchema = z.strictObject({
  event_id: z.string().min(1).max(200),
  /** The limit id the units count against (`cap.limit.<name>`). */
  metric: LimitIdSchema,
  amount: z.number().int().min(1).max(1_000_000_000),
  /** Whose usage: with the internal key, absent means the app itself; with a token, the caller. */
  user_id: UserIdSchema.optional(),
  /** When the usage happened (default: now); it counts in that moment's window. */
  timestamp: TimestampSchema.optional(),
  /** Free-form annotations kept with the event (at most 4 KiB as JSON). */
  properties: z
    .record(z.string().max(100), z.unknown())
    .refine((p) => JSON.stringify(p).length <= 4096, { message: "properties exceed 4096 bytes as JSON" })
    .optional(),
});
export type TrackEvent = z.input<typeof TrackEventSchema>;

export const TrackRequestSchema = contract(
  z.strictObject({ events: z.array(TrackEventSchema).min(1).max(MAX_TRACK_BATCH) }),
  {
    id: "track-request",
    description:
      "POST /api/track: usage of any limit metric, at most 1000 events, written in one transaction; idempotent by event_id.",
  },
);
export type TrackRequest = z.input<typeof TrackRequestSchema>;

export const TrackResponseSchema = contract(
  z.object({ accepted: z.number().int().min(0), duplicates: z.number().int().min(0) }),
  {
    id: "track-response",
    description: "POST /api/track result: events newly counted and replayed event_ids skipped.",
  },
);
export type TrackResponse = z.infer<typeof TrackResponseSchema>;

export const UsageGranularitySchema = z.enum(["hour", "day", "month"]);
export type UsageGranularity = z.infer<typeof UsageGranularitySchema>;

/** Most buckets one `GET /api/usage` page returns. */
export const MAX_USAGE_PAGE = 1000;

const isoOrDate = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: "must be an ISO-8601 date or timestamp" });

export const UsageQuerySchema = contract(
  z.strictObject({
    metric: LimitIdSchema.optional(),
    from: isoOrDate.optional().describe("Inclusive start (default: 30 days before `to`)."),
    to: isoOrDate.optional().describe("Exclusive end (default: the end of the bucket now is in)."),
    granularity: UsageGranularitySchema.default("day"),
    limit: z.coerce.number().int().min(1).max(MAX_USAGE_PAGE).default(100),
    cursor: z.string().max(300).optional().describe("`next_cursor` of the previous page."),
    user_id: UserIdSchema.optional(),
  }),
  {
    id: "usage-query",
    description:
      "GET /api/usage query: metric, UTC range [from, to), hour/day/month buckets, page size (at most 1000) and cursor; user_id only on the internal route.",
  },
);
export type UsageQuery = z.input<typeof UsageQuerySchema>;

export const UsageBucketSchema = z.object({
  metric: z.string(),
  /** Bucket start, ISO-8601 UTC. */
  start: z.string(),
  end: z.string(),
  /** Net units recorded in the bucket (holds and releases included). */
  amount: z.number().int(),
  events: z.number().int().min(0),
});
export type UsageBucket = z.infer<typeof UsageBucketSchema>;

export const UsageHistoryResponseSchema = contract(
  z.object({
    user_id: z.string(),
    granularity: UsageGranularitySchema,
    from: z.string(),
    to: z.string(),
    buckets: z.array(UsageBucketSchema),
    /** Pass as `cursor` for the next page; null on the last one. */
    next_cursor: z.string().nullable(),
  }),
  {
    id: "usage-history-response",
    description:
      "GET /api/usage answer: usage buckets of one user from the ledger, oldest first, one page at a time.",
  },
);
export type UsageHistoryResponse = z.infer<typeof UsageHistoryResponseSchema>;
