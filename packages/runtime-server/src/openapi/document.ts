import {
  contractsRegistry,
  dropNonStandardFormat,
  ERROR_STATUS,
  type ErrorCode,
  INTERNAL_API_KEY_HEADER,
  RUNTIME_CONTRACT_VERSION,
  RUNTIME_VERSION_HEADER,
} from "@mozaiks/contracts";
import { z } from "zod";
import { ROUTES } from "./routes.js";
import type { RouteAuth, RouteSpec } from "./spec.js";

type Json = Record<string, unknown>;

const COMPONENTS = "#/components/schemas/";
const toJsonOptions = {
  target: "draft-2020-12",
  io: "input",
  unrepresentable: "any",
  override: dropNonStandardFormat,
  uri: (id: string) => `${COMPONENTS}${id}`,
} as const;

/** Rewrites `$ref`s of a schema placed at `base` (its `#/$defs/…` become `base/$defs/…`). */
function rebase(node: unknown, base: string, contractIds: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rebase(n, base, contractIds));
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === "$ref" && typeof v === "string" && v.startsWith("#/$defs/")) {
      const name = v.slice("#/$defs/".length);
      out[k] = contractIds.has(name) ? `${COMPONENTS}${name}` : `${base}/$defs/${name}`;
    } else {
      out[k] = rebase(v, base, contractIds);
    }
  }
  return out;
}

/** Every published contract as a component schema, cross-referenced by `$ref`. */
function componentSchemas(): Record<string, Json> {
  const { schemas } = z.toJSONSchema(contractsRegistry, toJsonOptions) as { schemas: Record<string, Json> };
  const ids = new Set(Object.keys(schemas));
  const out: Record<string, Json> = {};
  for (const id of [...ids].sort()) {
    const { $schema: _s, $id: _i, ...body } = schemas[id] as Json;
    out[id] = rebase(body, `${COMPONENTS}${id}`, ids) as Json;
  }
  out.error = {
    ...(out["error-payload"] as Json),
    description: "Any error answer: a stable code, a message, the request id and flat details.",
  };
  return out;
}

/** A `$ref` for a published contract, else the schema inlined (its contract parts as `$ref`s). */
function schemaOf(schema: z.ZodType, ids: Set<string>, at: string, inline = false): Json {
  const id = contractsRegistry.get(schema)?.id;
  if (id !== undefined && !inline) return { $ref: `${COMPONENTS}${id}` };
  // Inlined on request (a contract's own shape), else with its contract parts as `$ref`s.
  const {
    $schema: _s,
    $defs,
    ...body
  } = z.toJSONSchema(schema, {
    ...toJsonOptions,
    ...(inline ? {} : { metadata: contractsRegistry }),
  } as Parameters<typeof z.toJSONSchema>[1]) as Json;
  const local = Object.fromEntries(
    Object.entries(($defs as Json | undefined) ?? {}).filter(([k]) => !ids.has(k)),
  );
  const rebased = rebase(body, at, ids) as Json;
  return Object.keys(local).length > 0 ? { ...rebased, $defs: rebase(local, at, ids) } : rebased;
}

/** The components `paths` reach, directly or through other components (the rest are not HTTP bodies). */
function referenced(paths: Json, all: Record<string, Json>): Record<string, Json> {
  const keep = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) for (const n of node) visit(n);
    else if (typeof node === "object" && node !== null) {
      for (const [k, v] of Object.entries(node as Json)) {
        if (k === "$ref" && typeof v === "string" && v.startsWith(COMPONENTS)) {
          const id = v.slice(COMPONENTS.length).split("/")[0] as string;
          if (!keep.has(id) && all[id]) {
            keep.add(id);
            visit(all[id]);
          }
        } else visit(v);
      }
    }
  };
  visit(paths);
  return Object.fromEntries([...keep].sort().map((id) => [id, all[id] as Json]));
}

/** `/api/runs/:run_id/events` → `/api/runs/{run_id}/events`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

const AUTH_ERRORS: Record<RouteAuth, ErrorCode[]> = {
  none: [],
  user: ["unauthorized", "invalid_token", "token_expired", "insufficient_scope", "tenant_isolation"],
  internal: ["unauthorized"],
  user_or_internal: [
    "unauthorized",
    "invalid_token",
    "token_expired",
    "insufficient_scope",
    "tenant_isolation",
  ],
};

const SECURITY: Record<RouteAuth, Array<Record<string, string[]>>> = {
  none: [],
  user: [{ bearerAuth: [] }],
  internal: [{ internalKey: [] }],
  user_or_internal: [{ bearerAuth: [] }, { internalKey: [] }],
};

/** Every error code a route may answer: its own, its auth's, and what any `/api` request may meet. */
export function errorCodesOf(route: RouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>([...AUTH_ERRORS[route.auth], ...(route.errors ?? [])]);
  if (route.path.startsWith("/api/")) codes.add("not_ready");
  if (route.body) {
    codes.add("payload_too_large");
    codes.add("invalid_request");
  }
  if (route.query) codes.add("invalid_request");
  codes.add("internal_error");
  return [...codes];
}

function errorResponses(route: RouteSpec): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(route)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, Json> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const first = codes[0] as ErrorCode;
    out[String(status)] = {
      description: codes.map((c) => `\`${c}\``).join(", "),
      headers: { [RUNTIME_VERSION_HEADER]: { $ref: "#/components/headers/RuntimeVersion" } },
      content: {
        "application/json": {
          schema: {
            allOf: [{ $ref: `${COMPONENTS}error` }, { properties: { error: { enum: codes } } }],
          },
          example: {
            error: first,
            message: `(${first})`,
            request_id: "0b9e5d0c-3f0c-4a8e-9d55-2f4f2c7b1a10",
          },
        },
      },
    };
  }
  return out;
}

function operation(route: RouteSpec, ids: Set<string>): Json {
  const at = `#/paths/${openApiPath(route.path).replaceAll("~", "~0").replaceAll("/", "~1")}/${route.method}`;
  const parameters: Json[] = Object.entries(route.params ?? {}).map(([name, description]) => ({
    name,
    in: "path",
    required: true,
    description,
    schema: { type: "string" },
  }));
  if (route.query) {
    // Query parameters are listed one by one, so the schema is inlined rather than referenced.
    const q = schemaOf(route.query, ids, at, true) as {
      properties?: Record<string, Json>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({
        name,
        in: "query",
        required: (q.required?.includes(name) || route.requiredQuery?.includes(name)) ?? false,
        ...(typeof description === "string" ? { description } : {}),
        schema: rest,
      });
    }
  }
  const responses: Record<string, Json> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const headers: Record<string, Json> = {
      [RUNTIME_VERSION_HEADER]: { $ref: "#/components/headers/RuntimeVersion" },
    };
    for (const [name, description] of Object.entries(r.headers ?? {}))
      headers[name] = { description, schema: { type: "string" } };
    const media: Json = {};
    if (r.schema) media.schema = schemaOf(r.schema, ids, `${at}/responses/${status}`);
    if (r.example !== undefined) media.example = r.example;
    responses[status] = {
      description: r.description,
      headers,
      ...(r.schema || r.contentType ? { content: { [r.contentType ?? "application/json"]: media } } : {}),
    };
  }
  Object.assign(responses, errorResponses(route));
  const id = `${route.method}${openApiPath(route.path)
    .replace(/[{}]/g, "")
    .split(/[/_.-]/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join("")}`;
  return {
    operationId: id,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: SECURITY[route.auth],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              [route.body.contentType ?? "application/json"]: {
                schema: schemaOf(route.body.schema, ids, `${at}/requestBody`),
                ...(route.body.example !== undefined ? { example: route.body.example } : {}),
              },
            },
          },
        }
      : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of the runtime: every route of {@link ROUTES}, with its request
 * schemas (the zod schemas the handlers validate with), responses, error answers by status and
 * the two security schemes. Deterministic, so the committed `docs/openapi.json` can be compared.
 */
export function buildOpenApiDocument(): Json {
  const all = componentSchemas();
  const ids = new Set(Object.keys(all));
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) {
    const p = openApiPath(route.path);
    paths[p] = { ...(paths[p] ?? {}), [route.method]: operation(route, ids) };
  }
  const schemas = referenced(paths, all);
  return {
    openapi: "3.1.0",
    info: {
      title: "Mozaiks runtime API",
      version: RUNTIME_CONTRACT_VERSION,
      description:
        "The HTTP API of a Mozaiks runtime: the app-facing check/track/usage API, entitlements, plugins, workflow runs, pack modules, and the internal routes the platform calls. Errors are flat JSON with a stable `error` code; every answer carries `X-Mozaiks-Runtime-Version` and `X-Request-Id`.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: "/", description: "This runtime" }],
    tags: [...new Set(ROUTES.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      headers: {
        RuntimeVersion: {
          description: "The runtime contract version.",
          schema: { type: "string", const: RUNTIME_CONTRACT_VERSION },
        },
      },
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "An app user's JWT, verified against the runtime's configured keys (docs/guides/auth.md).",
        },
        internalKey: {
          type: "apiKey",
          in: "header",
          name: INTERNAL_API_KEY_HEADER,
          description: "The platform's / app backend's key (MOZAIKS_INTERNAL_API_KEY).",
        },
      },
    },
  };
}
