import { z } from "zod";
import { contract } from "./registry.js";

/** Stable error codes → HTTP status. One table, used by every route (docs/reference/runtime-api.md). */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  invalid_token: 401,
  token_expired: 401,
  capability_denied: 403,
  insufficient_scope: 403,
  tenant_isolation: 403,
  manifest_signature_invalid: 403,
  user_mismatch: 403,
  not_found: 404,
  plugin_not_found: 404,
  workflow_not_found: 404,
  run_not_found: 404,
  module_not_found: 404,
  action_not_found: 404,
  artifact_not_found: 404,
  webhook_not_found: 404,
  request_timeout: 408,
  limit_not_releasable: 409,
  manifest_stale: 409,
  conflict: 409,
  idempotency_conflict: 409,
  payload_too_large: 413,
  plan_catalog_missing: 422,
  limit_exceeded: 429,
  headers_too_large: 431,
  plugin_error: 500,
  module_error: 500,
  internal_error: 500,
  plugin_timeout: 504,
  not_ready: 503,
  plugin_busy: 503,
  shutting_down: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ErrorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

/** Every error response: flat JSON with a stable `error` code, as the original runtime answered. */
export const ErrorPayloadSchema = contract(
  z.looseObject({
    error: ErrorCodeSchema,
    message: z.string(),
    request_id: z.string().optional(),
  }),
  {
    id: "error-payload",
    description: "Any runtime error: `{error, message, request_id, ...details}` with a stable code.",
  },
);
export type ErrorPayload = z.infer<typeof ErrorPayloadSchema>;

export const CapabilityDeniedPayloadSchema = contract(
  z.object({
    error: z.literal("capability_denied"),
    capability_id: z.string(),
    available_capabilities: z.array(z.string()),
    message: z.string(),
    request_id: z.string().optional(),
  }),
  {
    id: "capability-denied-payload",
    description: "403 capability_denied: the capability required and the caller's capabilities.",
  },
);
export type CapabilityDeniedPayload = z.infer<typeof CapabilityDeniedPayloadSchema>;

export const LimitExceededPayloadSchema = contract(
  z.object({
    error: z.literal("limit_exceeded"),
    limit_id: z.string(),
    limit_value: z.number(),
    current_usage: z.number(),
    message: z.string(),
    request_id: z.string().optional(),
  }),
  {
    id: "limit-exceeded-payload",
    description: "429 limit_exceeded: the limit, its value and the current usage.",
  },
);
export type LimitExceededPayload = z.infer<typeof LimitExceededPayloadSchema>;

export const InvalidRequestPayloadSchema = contract(
  z.object({
    error: z.literal("invalid_request"),
    message: z.string(),
    issues: z.array(
      z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string() }),
    ),
    request_id: z.string().optional(),
  }),
  {
    id: "invalid-request-payload",
    description: "400 invalid_request with the validation issues (path + message).",
  },
);
export type InvalidRequestPayload = z.infer<typeof InvalidRequestPayloadSchema>;
