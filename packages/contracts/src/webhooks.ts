import { z } from "zod";
import { EnforcementModeSchema, LimitIdSchema } from "./capability.js";
import { TimestampSchema } from "./common.js";
import { contract } from "./registry.js";

/** Event types a webhook subscription can receive (docs/guides/operations.md#webhooks). */
export const WEBHOOK_EVENT_TYPES = [
  "limit.threshold_reached",
  "limit.exceeded",
  "manifest.expiring",
  "manifest.replaced",
  "anomaly.detected",
] as const;
export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventTypeSchema>;

/** Percentages of a limit at which `limit.threshold_reached` fires unless a subscription says otherwise. */
export const DEFAULT_WEBHOOK_THRESHOLDS = [80, 100] as const;
/** Default lead time of `manifest.expiring`: a day before the manifest in force expires. */
export const DEFAULT_MANIFEST_EXPIRING_LEAD_SECONDS = 86_400;

/** A Standard Webhooks secret: `whsec_` and the base64 of at least 16 random bytes. */
export const WebhookSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/, {
    message: "must be whsec_ followed by the base64 of at least 16 bytes",
  })
  .describe("Signing secret in the Standard Webhooks form whsec_<base64>.");

const ThresholdsSchema = z
  .array(z.number().int().min(1).max(1000))
  .min(1)
  .max(10)
  .describe("Percentages of the limit (100 = the limit itself).");

const SubscriptionFields = {
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: "must be 1-64 characters of A-Z a-z 0-9 _ . -" })
    .describe("Stable id of the subscription."),
  url: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .describe("Where deliveries are POSTed."),
  event_types: z
    .array(WebhookEventTypeSchema)
    .min(1)
    .optional()
    .describe("Event types delivered (default: all)."),
  thresholds: ThresholdsSchema.optional().describe("Thresholds of every limit (default 80 and 100)."),
  limit_thresholds: z
    .record(LimitIdSchema, ThresholdsSchema)
    .optional()
    .describe("Thresholds of one limit, replacing `thresholds` for it."),
  manifest_expiring_lead_seconds: z
    .number()
    .int()
    .min(60)
    .max(366 * 86_400)
    .optional()
    .describe("How long before the manifest in force expires `manifest.expiring` fires (default one day)."),
  enabled: z.boolean().optional().describe("A disabled subscription receives nothing (default true)."),
};

/** One subscription as `webhooks.json` of an app bundle lists it: the secret inline or from the environment. */
export const WebhookBundleSubscriptionSchema = z
  .strictObject({
    ...SubscriptionFields,
    secret: WebhookSecretSchema.optional(),
    secret_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, { message: "must be an environment variable name" })
      .optional()
      .describe("Environment variable holding the secret (keeps it out of the bundle)."),
  })
  .refine((s) => (s.secret === undefined) !== (s.secret_env === undefined), {
    message: "give exactly one of secret and secret_env",
    path: ["secret"],
  });
export type WebhookBundleSubscription = z.infer<typeof WebhookBundleSubscriptionSchema>;

export const WebhooksConfigSchema = contract(
  z.strictObject({
    subscriptions: z.array(WebhookBundleSubscriptionSchema).max(100),
  }),
  {
    id: "webhooks-config",
    description:
      "`webhooks.json` of an app bundle: the webhook subscriptions the platform configures for this runtime.",
  },
);
export type WebhooksConfig = z.infer<typeof WebhooksConfigSchema>;

/** `POST /api/internal/webhooks`: creates or replaces a subscription; without `secret` one is generated. */
export const WebhookSubscriptionRequestSchema = contract(
  z.strictObject({ ...SubscriptionFields, secret: WebhookSecretSchema.optional() }),
  {
    id: "webhook-subscription-request",
    description:
      "Create or replace a webhook subscription through the internal API; a missing secret is generated and answered once.",
  },
);
export type WebhookSubscriptionRequest = z.infer<typeof WebhookSubscriptionRequestSchema>;

/** A subscription as the internal API answers it (never its secret, except once on creation). */
export const WebhookSubscriptionSchema = contract(
  z.object({
    id: z.string(),
    url: z.string(),
    source: z.enum(["bundle", "api"]),
    event_types: z.array(WebhookEventTypeSchema),
    thresholds: z.array(z.number().int()),
    limit_thresholds: z.record(z.string(), z.array(z.number().int())),
    manifest_expiring_lead_seconds: z.number().int(),
    enabled: z.boolean(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
    /** Present only in the answer that generated it. */
    secret: z.string().optional(),
  }),
  {
    id: "webhook-subscription",
    description:
      "A webhook subscription (internal API); the secret appears only when the runtime generated it.",
  },
);
export type WebhookSubscription = z.infer<typeof WebhookSubscriptionSchema>;

const SubjectSchema = z.object({ scope: z.enum(["app", "user"]), id: z.string() });

const LimitEventFields = {
  app_id: z.string(),
  subject: SubjectSchema,
  limit_id: z.string(),
  limit: z.number().int(),
  used: z.number().int(),
  enforcement: EnforcementModeSchema,
  /** Start of the counting window (epoch for a gauge that never resets). */
  period_start: TimestampSchema,
  /** When the window resets; null for a gauge. */
  resets_at: TimestampSchema.nullable(),
};

const ManifestRefSchema = z.object({
  issued_at: TimestampSchema.nullable(),
  expires_at: TimestampSchema.nullable(),
});

/** The `data` of each event type. */
export const WebhookEventDataSchemas = {
  "limit.threshold_reached": z.object({ ...LimitEventFields, threshold_percent: z.number().int() }),
  "limit.exceeded": z.object({
    ...LimitEventFields,
    requested: z.number().int(),
    /** `refused` under soft/hard; `allowed` when warn/none let it through, or ingest went past the limit. */
    outcome: z.enum(["refused", "allowed"]),
  }),
  "manifest.expiring": z.object({
    app_id: z.string(),
    subject: SubjectSchema,
    source: z.string(),
    issued_at: TimestampSchema.nullable(),
    expires_at: TimestampSchema,
    seconds_left: z.number().int(),
  }),
  "manifest.replaced": z.object({
    app_id: z.string(),
    subject: SubjectSchema,
    source: z.string(),
    previous: ManifestRefSchema.nullable(),
    current: ManifestRefSchema.extend({ capabilities: z.number().int() }),
  }),
  "anomaly.detected": z.object({
    app_id: z.string(),
    pattern: z.string(),
    user_id: z.string().nullable(),
    count: z.number().int(),
    window_seconds: z.number(),
    detail: z.string().nullable(),
  }),
} as const;

/** The JSON body of every delivery (Standard Webhooks payload shape: type, timestamp, data). */
export const WebhookPayloadSchema = contract(
  z.discriminatedUnion(
    "type",
    WEBHOOK_EVENT_TYPES.map((type) =>
      z.object({ type: z.literal(type), timestamp: TimestampSchema, data: WebhookEventDataSchemas[type] }),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  ),
  {
    id: "webhook-payload",
    description:
      "Body of a webhook delivery, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature headers).",
  },
);
export type WebhookPayload = {
  [K in WebhookEventType]: {
    type: K;
    timestamp: string;
    data: z.infer<(typeof WebhookEventDataSchemas)[K]>;
  };
}[WebhookEventType];
export type WebhookEventData<K extends WebhookEventType> = z.infer<(typeof WebhookEventDataSchemas)[K]>;

/** One message of the outbox and where its delivery stands. */
export const WebhookDeliverySchema = z.object({
  /** The `webhook-id` header: the same on every attempt of this message. */
  id: z.string(),
  subscription_id: z.string(),
  event_type: WebhookEventTypeSchema,
  status: z.enum(["pending", "delivered", "dead"]),
  attempts: z.number().int(),
  created_at: TimestampSchema,
  next_attempt_at: TimestampSchema.nullable(),
  delivered_at: TimestampSchema.nullable(),
  last_http_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  payload: z.unknown(),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export const WebhookDeliveriesResponseSchema = contract(
  z.object({
    deliveries: z.array(WebhookDeliverySchema),
    /** Pass as `before` for the next (older) page; null on the last page. */
    next_before: z.string().nullable(),
  }),
  {
    id: "webhook-deliveries-response",
    description: "`GET /api/internal/webhooks/deliveries`: the delivery log, newest first.",
  },
);
export type WebhookDeliveriesResponse = z.infer<typeof WebhookDeliveriesResponseSchema>;

/** One attempt of a delivery (`GET /api/internal/webhooks/deliveries/:id`). */
export const WebhookAttemptSchema = z.object({
  attempt: z.number().int(),
  at: TimestampSchema,
  http_status: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number(),
});
export type WebhookAttempt = z.infer<typeof WebhookAttemptSchema>;

export const WebhookDeliveryDetailSchema = contract(
  WebhookDeliverySchema.extend({ attempt_log: z.array(WebhookAttemptSchema) }),
  {
    id: "webhook-delivery-detail",
    description: "`GET /api/internal/webhooks/deliveries/:id`: one delivery with every attempt.",
  },
);
export type WebhookDeliveryDetail = z.infer<typeof WebhookDeliveryDetailSchema>;
