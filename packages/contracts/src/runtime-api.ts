import { z } from "zod";
import { CapabilityIdSchema } from "./capability.js";
import { AppIdSchema } from "./common.js";
import { AnchorDaySchema, AnchorMonthSchema, LimitPeriodSchema } from "./limit-period.js";
import { contract } from "./registry.js";

/** The version every runtime response advertises in `X-Mozaiks-Runtime-Version`. */
export const RUNTIME_CONTRACT_VERSION = "1.0.0";
export const RUNTIME_VERSION_HEADER = "X-Mozaiks-Runtime-Version";
export const ENTITLEMENT_WARNING_HEADER = "X-Mozaiks-Entitlement-Warning";
export const INTERNAL_API_KEY_HEADER = "X-Internal-API-Key";

/**
 * `_context` injected server-side into every plugin call; never client-supplied
 * (docs/reference/runtime-api.md#plugin-calls).
 */
export const PluginContextSchema = contract(
  z.object({
    app_id: AppIdSchema,
    user_id: z.string().min(1),
    username: z.string().nullable(),
    roles: z.array(z.string()),
    is_superadmin: z.boolean(),
  }),
  {
    id: "plugin-context",
    description: "The `_context` object the runtime injects into plugin input, overwriting any client value.",
  },
);
export type PluginContext = z.infer<typeof PluginContextSchema>;

/** `plugins/<name>/plugin.json` in an app bundle. */
export const PluginDescriptorSchema = contract(
  z.object({
    name: z
      .string()
      .regex(/^[a-z0-9_][a-z0-9_-]*$/, { message: "plugin name must match [a-z0-9_][a-z0-9_-]*" }),
    display_name: z.string().optional(),
    description: z.string().default(""),
    version: z.string().default("0.0.0"),
    enabled: z.boolean().default(true),
    /** Capability required to run it; defaults to `cap.tool.<name>` (docs/reference/capabilities.md). */
    capability: CapabilityIdSchema.optional(),
    /** Module file inside the plugin folder exporting `execute(data, context)`. */
    entry: z.string().default("index.js"),
    timeout_seconds: z.number().positive().optional(),
  }),
  {
    id: "plugin-descriptor",
    description:
      "plugin.json of a plugin in an app bundle: name, display data, required capability (default cap.tool.<name>), entry module, optional timeout.",
  },
);
export type PluginDescriptor = z.infer<typeof PluginDescriptorSchema>;
export type PluginDescriptorInput = z.input<typeof PluginDescriptorSchema>;

export const PluginSummarySchema = z.object({
  name: z.string(),
  display_name: z.string(),
  description: z.string(),
  version: z.string(),
  enabled: z.boolean(),
  capability: CapabilityIdSchema,
  allowed: z.boolean(),
});
export type PluginSummary = z.infer<typeof PluginSummarySchema>;

export const PluginListResponseSchema = contract(z.object({ plugins: z.array(PluginSummarySchema) }), {
  id: "plugin-list-response",
  description:
    "GET /api/plugins (alias /api/available-plugins): the plugins and whether the caller may run each.",
});
export type PluginListResponse = z.infer<typeof PluginListResponseSchema>;

export const HealthResponseSchema = contract(
  z.object({
    status: z.literal("healthy"),
    app_id: AppIdSchema,
    app_tier: z.string().nullable(),
    plugins_loaded: z.number().int().min(0),
    version: z.string(),
  }),
  {
    id: "health-response",
    description: "GET /health: liveness plus app id, display tier and loaded plugin count.",
  },
);
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

export const ReadyResponseSchema = contract(
  z.discriminatedUnion("status", [
    z.object({ status: z.literal("ready") }),
    z.object({ status: z.literal("not_ready"), reason: z.string() }),
  ]),
  {
    id: "ready-response",
    description:
      "GET /ready: 200 ready once entitlements and plugins are loaded, 503 not_ready with a reason before.",
  },
);
export type ReadyResponse = z.infer<typeof ReadyResponseSchema>;

export const EntitlementsResponseSchema = contract(
  z.object({
    app_id: AppIdSchema,
    user_id: z.string().nullable(),
    source: z.string(),
    capabilities: z.array(CapabilityIdSchema),
    limits: z.record(
      z.string(),
      z.object({
        limit: z.number().int(),
        used: z.number().int(),
        remaining: z.number().int().nullable(),
        enforcement: z.enum(["none", "warn", "soft", "hard"]),
        period: LimitPeriodSchema,
        anchor_day: AnchorDaySchema.optional(),
        anchor_month: AnchorMonthSchema.optional(),
        /** Start of the next window (ISO-8601 UTC); null for `none` and `run` limits. */
        resets_at: z.string().nullable(),
      }),
    ),
    plan: z.record(z.string(), z.unknown()).nullable(),
  }),
  {
    id: "entitlements-response",
    description:
      "GET /api/entitlements: the caller's effective capabilities, limits with usage, period and reset time, and the manifest source.",
  },
);
export type EntitlementsResponse = z.infer<typeof EntitlementsResponseSchema>;
