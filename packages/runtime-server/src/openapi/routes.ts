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
  WorkflowRunRequestSchema,
  WorkflowRunResponseSchema,
} from "@mozaiks/contracts";
import { z } from "zod";
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
    optional: true,
    responses: { 200: { description: "Prometheus text exposition format.", contentType: "text/plain" } },
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
    errors: ["invalid_request", "capability_denied", "module_not_found", "action_not_found", "conflict"],
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
  ...(
    [
      ["get", "/api/internal/webhooks", "List webhook subscriptions"],
      ["post", "/api/internal/webhooks", "Create or replace a webhook subscription"],
      ["delete", "/api/internal/webhooks/:id", "Delete a webhook subscription"],
      ["get", "/api/internal/webhooks/deliveries", "The webhook delivery log"],
      ["get", "/api/internal/webhooks/deliveries/:id", "One delivery with its attempts"],
      ["post", "/api/internal/webhooks/deliveries/:id/redeliver", "Redeliver a dead message"],
    ] as const
  ).map(
    ([method, path, summary]): RouteSpec => ({
      method,
      path,
      auth: "internal",
      tag: "Webhooks",
      summary,
      optional: true,
      ...(path.includes(":id") ? { params: { id: "The subscription's or delivery's id." } } : {}),
      ...(method === "post" && !path.includes(":id") ? { body: { schema: object } } : {}),
      responses:
        method === "delete"
          ? { 204: { description: "Deleted." } }
          : { 200: { description: "See the webhooks guide.", schema: object } },
      errors: ["invalid_request", "conflict"],
    }),
  ),
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
