import {
  CheckRequestSchema,
  CheckResponseSchema,
  EntitlementManifestSchema,
  EntitlementSyncV11Schema,
  EntitlementsResponseSchema,
  HealthResponseSchema,
  LegacySubscriptionSyncSchema,
  PluginListResponseSchema,
  ReadyResponseSchema,
  RunArtifactsResponseSchema,
  RunEventSchema,
  TrackRequestSchema,
  TrackResponseSchema,
  UsageGaugeRequestSchema,
  UsageGaugeResponseSchema,
  UsageHistoryResponseSchema,
  UsageIngestBatchSchema,
  UsageIngestResponseSchema,
  UsageQuerySchema,
  WebhookDeliveriesResponseSchema,
  WebhookDeliveryDetailSchema,
  WebhookDeliverySchema,
  WebhookSubscriptionRequestSchema,
  WebhookSubscriptionSchema,
  WorkflowRunRequestSchema,
  WorkflowRunResponseSchema,
} from "@mozaiks/contracts";
import { z } from "zod";
import { DeliveriesQuerySchema } from "../control/webhooks/routes.js";
import type { RouteSpec } from "./spec.js";

const json = z.unknown().describe("Any JSON value.");
const object = z.looseObject({}).describe("A JSON object.");

const SyncResultSchema = z
  .looseObject({
    status: z.literal("synced"),
    format: z.string(),
    scope: z.enum(["app", "user"]),
    user_id: z.string().nullable(),
    source: z.string(),
    capabilities: z.array(z.string()),
    limits: z.record(z.string(), z.number()),
  })
  .describe("The entitlements now in force for the synced subject.");

const ModuleListSchema = z.object({
  modules: z.array(
    z.looseObject({ id: z.string(), capability: z.string().optional(), allowed: z.boolean().optional() }),
  ),
});

const USER = { sub: "alice" };
const EXAMPLE_CHECK = {
  allowed: true,
  reason_code: "within_limit",
  user_id: USER.sub,
  limit: "cap.limit.exports_daily",
  limit_value: 10,
  used: 4,
  remaining: 6,
  period: "daily",
  resets_at: "2026-03-16T00:00:00.000Z",
  enforcement: "hard",
  consumed: 1,
};

/** What `GET /metrics` answers (prom-client's registry content type). */
const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

const WebhookSubscriptionListSchema = z.object({ subscriptions: z.array(WebhookSubscriptionSchema) });

const DELIVERY_ID = "The delivery's id (its `webhook-id` header).";
const EXAMPLE_SUBSCRIPTION = {
  id: "billing-alerts",
  url: "https://backend.example.com/hooks/mozaiks",
  source: "api",
  event_types: ["limit.threshold_reached", "limit.exceeded"],
  thresholds: [80, 100],
  limit_thresholds: {},
  manifest_expiring_lead_seconds: 86_400,
  enabled: true,
  created_at: "2026-03-01T08:00:00.000Z",
  updated_at: "2026-03-01T08:00:00.000Z",
} as const;
const EXAMPLE_DELIVERY = {
  id: "msg_9d552f4f2c7b1a100b9e5d0c3f0c4a8e",
  subscription_id: EXAMPLE_SUBSCRIPTION.id,
  event_type: "limit.threshold_reached",
  status: "delivered",
  attempts: 1,
  created_at: "2026-03-15T09:30:00.000Z",
  next_attempt_at: null,
  delivered_at: "2026-03-15T09:30:00.204Z",
  last_http_status: 200,
  last_error: null,
  payload: {
    type: "limit.threshold_reached",
    timestamp: "2026-03-15T09:30:00.000Z",
    data: {
      app_id: "example-app",
      subject: { scope: "user", id: USER.sub },
      limit_id: "cap.limit.exports_daily",
      limit: 10,
      used: 8,
      enforcement: "hard",
      period_start: "2026-03-15T00:00:00.000Z",
      resets_at: "2026-03-16T00:00:00.000Z",
      threshold_percent: 80,
    },
  },
} as const;

/** Every route the runtime serves (the `/admin` dashboard aside), in the order of the reference. */
export const ROUTES: RouteSpec[] = [
  {
    method: "get",
    path: "/health",
    auth: "none",
    tag: "Operations",
    summary: "Liveness",
    responses: {
      200: {
        description: "The runtime is up.",
        schema: HealthResponseSchema,
        example: {
          status: "healthy",
          app_id: "example-app",
          app_tier: "pro",
          plugins_loaded: 3,
          version: "0.1.0",
        },
      },
    },
  },
  {
    method: "get",
    path: "/ready",
    auth: "none",
    tag: "Operations",
    summary: "Readiness",
    description: "200 once the bundle's entitlements and plugins are loaded and verified; 503 before.",
    responses: {
      200: { description: "Ready.", schema: ReadyResponseSchema, example: { status: "ready" } },
      503: {
        description: "Not ready yet, with the reason.",
        schema: ReadyResponseSchema,
        example: { status: "not_ready", reason: "starting: entitlements and plugins not loaded yet" },
      },
    },
  },
  {
    method: "get",
    path: "/metrics",
    auth: "internal",
    tag: "Operations",
    summary: "Prometheus metrics",
    description:
      "The runtime's metrics for a Prometheus scraper. With MOZAIKS_METRICS_PORT the same text is also served without a key on that port.",
    responses: {
      200: {
        description:
          "Prometheus text exposition format 0.0.4 (UTF-8): `# HELP` / `# TYPE` lines and samples.",
        contentType: PROMETHEUS_TEXT,
        schema: z.string().describe("Prometheus text exposition format."),
        example:
          '# HELP mozaiks_http_requests_total HTTP requests answered.\n# TYPE mozaiks_http_requests_total counter\nmozaiks_http_requests_total{method="GET",route="/health",status="200"} 12\n',
      },
    },
  },
  {
    method: "post",
    path: "/api/check",
    auth: "user_or_internal",
    tag: "App API",
    summary: "May this user do X?",
    description:
      "A capability check, or a limit check (optionally consuming the units atomically, idempotent by key). 200 for every decision; only a malformed question is an error. With the internal key, `user_id` names the user.",
    body: {
      schema: CheckRequestSchema,
      example: { limit: "cap.limit.exports_daily", requested: 1, consume: true, idempotency_key: "order-42" },
    },
    responses: {
      200: {
        description: "The decision.",
        schema: CheckResponseSchema,
        example: EXAMPLE_CHECK,
        headers: {
          "X-Mozaiks-Entitlements-Version":
            "Version of the caller's entitlements (changes with a sync, not with usage).",
          "X-Mozaiks-Entitlement-Warning": "Present when over the limit under warn enforcement.",
        },
      },
    },
    errors: ["invalid_request", "user_mismatch", "idempotency_conflict"],
  },
  {
    method: "post",
    path: "/api/track",
    auth: "user_or_internal",
    tag: "App API",
    summary: "Record usage of any limit metric",
    description:
      "At most 1000 events in one transaction, idempotent by event_id (scoped to the user). With the internal key and no user_id the app itself is charged.",
    body: {
      schema: TrackRequestSchema,
      example: {
        events: [
          {
            event_id: "export-7f3a",
            metric: "cap.limit.exports_daily",
            amount: 1,
            user_id: USER.sub,
            properties: { format: "pdf" },
          },
        ],
      },
    },
    responses: {
      200: {
        description: "Counted and replayed events.",
        schema: TrackResponseSchema,
        example: { accepted: 1, duplicates: 0 },
      },
    },
    errors: ["invalid_request", "user_mismatch"],
  },
  {
    method: "get",
    path: "/api/usage",
    auth: "user",
    tag: "App API",
    summary: "The caller's usage history",
    query: UsageQuerySchema,
    responses: {
      200: {
        description: "One page of buckets, oldest first.",
        schema: UsageHistoryResponseSchema,
        example: {
          user_id: USER.sub,
          granularity: "day",
          from: "2026-03-01T00:00:00.000Z",
          to: "2026-03-15T12:00:00.000Z",
          buckets: [
            {
              metric: "cap.limit.exports_daily",
              start: "2026-03-14T00:00:00.000Z",
              end: "2026-03-15T00:00:00.000Z",
              amount: 9,
              events: 3,
            },
          ],
          next_cursor: null,
        },
      },
    },
    errors: ["invalid_request", "user_mismatch"],
  },
  {
    method: "get",
    path: "/api/internal/usage",
    auth: "internal",
    tag: "App API",
    summary: "Any user's usage history",
    description: "As GET /api/usage, for the user named by the required `user_id`.",
    query: UsageQuerySchema,
    requiredQuery: ["user_id"],
    responses: {
      200: { description: "One page of buckets, oldest first.", schema: UsageHistoryResponseSchema },
    },
    errors: ["invalid_request"],
  },
  {
    method: "get",
    path: "/api/entitlements",
    auth: "user",
    tag: "Entitlements",
    summary: "The caller's effective entitlements",
    description:
      "Capabilities, limits with usage, period and reset time, and the manifest source. Carries an ETag (If-None-Match answers 304) and X-Mozaiks-Entitlements-Version.",
    responses: {
      200: {
        description: "The entitlements in force.",
        schema: EntitlementsResponseSchema,
        headers: {
          ETag: "Weak validator of this answer.",
          "X-Mozaiks-Entitlements-Version":
            "Version of the caller's entitlements (changes with a sync, not with usage).",
        },
      },
      304: { description: "Unchanged since the ETag given in If-None-Match." },
    },
  },
  {
    method: "get",
    path: "/api/plugins",
    auth: "user",
    tag: "Plugins",
    summary: "The plugins and whether the caller may run each",
    responses: { 200: { description: "The plugin list.", schema: PluginListResponseSchema } },
  },
  {
    method: "get",
    path: "/api/available-plugins",
    auth: "user",
    tag: "Plugins",
    summary: "Alias of GET /api/plugins",
    responses: { 200: { description: "The plugin list.", schema: PluginListResponseSchema } },
  },
  {
    method: "post",
    path: "/api/execute/:plugin_name",
    auth: "user",
    tag: "Plugins",
    summary: "Run a plugin",
    description:
      "Requires the plugin's capability, reserves one cap.limit.plugin_calls_daily unit when that limit exists, and runs the plugin in isolation with its timeout. `_context` and `user_jwt` are set by the runtime.",
    params: { plugin_name: "The plugin's name." },
    body: { schema: object, example: { message: "hi" } },
    responses: { 200: { description: "The plugin's JSON result.", schema: json } },
    errors: [
      "invalid_request",
      "capability_denied",
      "plugin_not_found",
      "limit_exceeded",
      "plugin_error",
      "plugin_busy",
      "plugin_timeout",
    ],
  },
  {
    method: "post",
    path: "/api/workflows/:name/runs",
    auth: "user",
    tag: "Workflows",
    summary: "Launch a workflow run",
    params: { name: "The workflow's id." },
    body: { schema: WorkflowRunRequestSchema, example: { input: { message: "hi" } } },
    responses: {
      201: {
        description: "The run, its launch token and its events URL.",
        schema: WorkflowRunResponseSchema,
      },
    },
    errors: ["invalid_request", "capability_denied", "workflow_not_found", "limit_exceeded"],
  },
  {
    method: "get",
    path: "/api/runs/:run_id/events",
    auth: "user",
    tag: "Workflows",
    summary: "A run's events (SSE)",
    description:
      "Server-sent events, one JSON run event per `data:` line with its `id:`; resumable with Last-Event-ID. The stream ends after the run's last event.",
    params: { run_id: "The run's id." },
    responses: {
      200: {
        description: "An event stream of run events.",
        schema: RunEventSchema,
        contentType: "text/event-stream",
      },
    },
    errors: ["run_not_found"],
  },
  {
    method: "get",
    path: "/api/runs/:run_id/artifacts",
    auth: "user",
    tag: "Workflows",
    summary: "A run's artifacts",
    params: { run_id: "The run's id." },
    responses: { 200: { description: "The artifacts of the run.", schema: RunArtifactsResponseSchema } },
    errors: ["capability_denied", "run_not_found"],
  },
  {
    method: "get",
    path: "/api/runs/:run_id/artifacts/:name",
    auth: "user",
    tag: "Workflows",
    summary: "One artifact's value",
    params: { run_id: "The run's id.", name: "The artifact's name." },
    responses: { 200: { description: "The artifact's JSON value.", schema: json } },
    errors: ["capability_denied", "run_not_found", "artifact_not_found"],
  },
  {
    method: "get",
    path: "/api/modules",
    auth: "user",
    tag: "Modules",
    summary: "The hosted pack modules",
    optional: true,
    responses: {
      200: { description: "The modules and whether the caller may use each.", schema: ModuleListSchema },
    },
  },
  {
    method: "post",
    path: "/api/modules/:module/:action",
    auth: "user",
    tag: "Modules",
    summary: "Call a pack module action",
    optional: true,
    params: { module: "The module's id.", action: "The action's name." },
    body: { schema: object, example: {} },
    responses: { 200: { description: "The action's result.", schema: json } },
    errors: [
      "invalid_request",
      "capability_denied",
      "module_not_found",
      "action_not_found",
      "conflict",
      "module_error",
    ],
  },
  {
    method: "post",
    path: "/api/internal/entitlement/sync",
    auth: "internal",
    tag: "Internal",
    summary: "Sync entitlements (v1.1 payload or a signed manifest)",
    body: {
      schema: z.union([EntitlementSyncV11Schema, EntitlementManifestSchema]),
      example: {
        app_id: "example-app",
        user_id: USER.sub,
        capabilities: ["cap.feature.export"],
        limits: { "cap.limit.exports_daily": 10 },
      },
    },
    responses: { 200: { description: "The entitlements now in force.", schema: SyncResultSchema } },
    errors: ["invalid_request", "manifest_signature_invalid", "tenant_isolation", "manifest_stale"],
  },
  {
    method: "post",
    path: "/api/internal/subscription/sync",
    auth: "internal",
    tag: "Internal",
    summary: "Sync a legacy subscription (translated through plan_catalog.json)",
    body: { schema: LegacySubscriptionSyncSchema },
    responses: { 200: { description: "The entitlements now in force.", schema: SyncResultSchema } },
    errors: ["invalid_request", "manifest_stale", "plan_catalog_missing"],
  },
  {
    method: "post",
    path: "/api/usage/ingest",
    auth: "internal",
    tag: "Internal",
    summary: "Ingest token usage events",
    body: { schema: UsageIngestBatchSchema },
    responses: { 200: { description: "Recorded and replayed events.", schema: UsageIngestResponseSchema } },
    errors: ["invalid_request", "tenant_isolation"],
  },
  {
    method: "post",
    path: "/api/internal/usage/reserve",
    auth: "internal",
    tag: "Internal",
    summary: "Reserve units of a limit (e.g. a seat)",
    body: {
      schema: UsageGaugeRequestSchema,
      example: { id: "seat-alice", limit_id: "cap.limit.seats", amount: 1 },
    },
    responses: { 200: { description: "The counter's change.", schema: UsageGaugeResponseSchema } },
    errors: ["invalid_request", "limit_exceeded"],
  },
  {
    method: "post",
    path: "/api/internal/usage/release",
    auth: "internal",
    tag: "Internal",
    summary: "Release units of a gauge",
    body: { schema: UsageGaugeRequestSchema },
    responses: { 200: { description: "The counter's change.", schema: UsageGaugeResponseSchema } },
    errors: ["invalid_request", "limit_not_releasable"],
  },
  {
    method: "get",
    path: "/api/internal/webhooks",
    auth: "internal",
    tag: "Webhooks",
    summary: "List webhook subscriptions",
    description:
      "The bundle's subscriptions (`webhooks.json`) and those created here; secrets are never listed.",
    responses: {
      200: {
        description: "Every subscription.",
        schema: WebhookSubscriptionListSchema,
        example: { subscriptions: [EXAMPLE_SUBSCRIPTION] },
      },
    },
  },
  {
    method: "post",
    path: "/api/internal/webhooks",
    auth: "internal",
    tag: "Webhooks",
    summary: "Create or replace a webhook subscription",
    description:
      "Creates the subscription of this `id`, or replaces one created here (keeping its secret unless one is given). Without `secret` a new one is generated and answered once, in the 201. A subscription from the bundle's `webhooks.json` is read-only here (409 `conflict`).",
    body: {
      schema: WebhookSubscriptionRequestSchema,
      example: {
        id: EXAMPLE_SUBSCRIPTION.id,
        url: EXAMPLE_SUBSCRIPTION.url,
        event_types: EXAMPLE_SUBSCRIPTION.event_types,
        thresholds: EXAMPLE_SUBSCRIPTION.thresholds,
      },
    },
    responses: {
      200: {
        description: "Replaced an existing subscription.",
        schema: WebhookSubscriptionSchema,
        example: { ...EXAMPLE_SUBSCRIPTION, updated_at: "2026-03-15T10:00:00.000Z" },
      },
      201: {
        description: "Created; `secret` is present when the runtime generated it (only in this answer).",
        schema: WebhookSubscriptionSchema,
        example: { ...EXAMPLE_SUBSCRIPTION, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
      },
    },
    errors: ["invalid_request", "conflict"],
  },
  {
    method: "delete",
    path: "/api/internal/webhooks/:id",
    auth: "internal",
    tag: "Webhooks",
    summary: "Delete a webhook subscription",
    description: "Only a subscription created through this API; the bundle's own answer 409 `conflict`.",
    params: { id: "The subscription's id." },
    responses: { 204: { description: "Deleted." } },
    errors: ["webhook_not_found", "conflict"],
  },
  {
    method: "get",
    path: "/api/internal/webhooks/deliveries",
    auth: "internal",
    tag: "Webhooks",
    summary: "The webhook delivery log",
    description: "Newest first, filtered by subscription, status and event type; page on with `before`.",
    query: DeliveriesQuerySchema,
    responses: {
      200: {
        description: "One page of deliveries.",
        schema: WebhookDeliveriesResponseSchema,
        example: { deliveries: [EXAMPLE_DELIVERY], next_before: "41" },
      },
    },
  },
  {
    method: "get",
    path: "/api/internal/webhooks/deliveries/:id",
    auth: "internal",
    tag: "Webhooks",
    summary: "One delivery with its attempts",
    params: { id: DELIVERY_ID },
    responses: {
      200: {
        description: "The delivery and every attempt, oldest first.",
        schema: WebhookDeliveryDetailSchema,
        example: {
          ...EXAMPLE_DELIVERY,
          attempt_log: [
            {
              attempt: 1,
              at: "2026-03-15T09:30:00.120Z",
              http_status: 200,
              error: null,
              duration_ms: 84,
            },
          ],
        },
      },
    },
    errors: ["webhook_not_found"],
  },
  {
    method: "post",
    path: "/api/internal/webhooks/deliveries/:id/redeliver",
    auth: "internal",
    tag: "Webhooks",
    summary: "Redeliver a dead message",
    description:
      "Puts a dead delivery back in line with the same `webhook-id`; a pending or delivered one answers 409 `conflict`.",
    params: { id: DELIVERY_ID },
    responses: {
      202: {
        description: "Pending again; the dispatcher delivers it next.",
        schema: WebhookDeliverySchema,
        example: {
          ...EXAMPLE_DELIVERY,
          status: "pending",
          attempts: 8,
          next_attempt_at: "2026-03-16T08:00:00.000Z",
          delivered_at: null,
          last_http_status: 503,
          last_error: "receiver answered 503",
        },
      },
    },
    errors: ["webhook_not_found", "conflict"],
  },
  {
    method: "get",
    path: "/openapi.json",
    auth: "none",
    tag: "Operations",
    summary: "This document",
    responses: { 200: { description: "The OpenAPI 3.1 document of every route.", schema: object } },
  },
  {
    method: "get",
    path: "/docs",
    auth: "none",
    tag: "Operations",
    summary: "The API reference page",
    responses: {
      200: { description: "An HTML page rendered from /openapi.json.", contentType: "text/html" },
    },
  },
  {
    method: "get",
    path: "/docs/scalar.js",
    auth: "none",
    tag: "Operations",
    summary: "The reference page's renderer (bundled, no CDN)",
    responses: { 200: { description: "The renderer's script.", contentType: "text/javascript" } },
  },
];
