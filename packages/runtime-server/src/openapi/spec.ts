import type { ErrorCode } from "@mozaiks/contracts";
import type { z } from "zod";

/** Who may call a route: nobody in particular, a user's token, the internal key, or either. */
export type RouteAuth = "none" | "user" | "internal" | "user_or_internal";

/** One response of a route: a published contract schema (or an inline zod schema) and an example. */
export interface ResponseSpec {
  description: string;
  /** A schema registered with `contract()` becomes a `$ref` to its component; others are inlined. */
  schema?: z.ZodType;
  /** Defaults to `application/json`. */
  contentType?: string;
  example?: unknown;
  headers?: Record<string, string>;
}

/**
 * One route of the runtime as the OpenAPI document describes it. Bodies and queries name the
 * same zod schemas the handlers parse with, so the document cannot drift from the validation.
 */
export interface RouteSpec {
  method: "get" | "post" | "delete";
  /** Hono path syntax (`/api/runs/:run_id/events`). */
  path: string;
  auth: RouteAuth;
  tag: string;
  summary: string;
  description?: string;
  body?: { schema: z.ZodType; example?: unknown; contentType?: string };
  query?: z.ZodObject;
  /** Query parameters this route requires although the shared query schema makes them optional. */
  requiredQuery?: string[];
  /** Path parameters, by name. */
  params?: Record<string, string>;
  responses: Record<number, ResponseSpec>;
  /** Error codes this route answers besides the ones its auth and the `/api` prefix imply. */
  errors?: ErrorCode[];
  /** Mounted only when configured (pack modules, webhooks, metrics): may be absent from an app. */
  optional?: boolean;
}
