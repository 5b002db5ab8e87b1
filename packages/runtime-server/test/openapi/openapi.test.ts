import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { INTERNAL_API_KEY_HEADER } from "@mozaiks/contracts";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, errorCodesOf, openApiPath } from "../../src/openapi/document.js";
import { ROUTES } from "../../src/openapi/routes.js";
import { INTERNAL_KEY } from "../helpers/keys.js";
import { buildTestRuntime } from "../helpers/runtime.js";

const COMMITTED = fileURLToPath(new URL("../../../../docs/openapi.json", import.meta.url));
const REFRESH = "run `pnpm --filter @mozaiks/runtime-server docs:openapi` and commit docs/openapi.json";

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security: unknown[] }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

describe("OpenAPI document", () => {
  const doc = buildOpenApiDocument() as Doc;

  it("is a valid OpenAPI 3.1 document (independent validator, every $ref resolved)", async () => {
    const validator = new Validator();
    const res = await validator.validate(structuredClone(doc) as never);
    expect(res.errors ?? [], JSON.stringify(res.errors, null, 2)?.slice(0, 2000)).toEqual([]);
    expect(res.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it("describes every route the app registers (the /admin dashboard aside)", async () => {
    const { app } = await buildTestRuntime();
    const documented = new Set(ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    const registered = [
      ...new Set(
        app.routes
          .filter((r) => r.method !== "ALL" && !r.path.startsWith("/admin"))
          .map((r) => `${r.method} ${r.path}`),
      ),
    ];
    const missing = registered.filter((r) => !documented.has(r));
    expect(missing, "add a spec for these routes in src/openapi/routes.ts").toEqual([]);
    const stale = ROUTES.filter(
      (r) => !r.optional && !registered.includes(`${r.method.toUpperCase()} ${r.path}`),
    );
    expect(
      stale.map((r) => r.path),
      "documented but not served",
    ).toEqual([]);
  });

  it("has the bearer and internal-key security schemes and puts each route behind the right one", () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearerAuth", "internalKey"]);
    const op = (path: string, method: string) => doc.paths[path]?.[method];
    expect(op("/api/check", "post")?.security).toEqual([{ bearerAuth: [] }, { internalKey: [] }]);
    expect(op("/api/entitlements", "get")?.security).toEqual([{ bearerAuth: [] }]);
    expect(op("/api/usage/ingest", "post")?.security).toEqual([{ internalKey: [] }]);
    expect(op("/health", "get")?.security).toEqual([]);
  });

  it("lists every error a route answers under its status, with an example body", () => {
    for (const route of ROUTES) {
      const responses = doc.paths[openApiPath(route.path)]?.[route.method]?.responses ?? {};
      for (const code of errorCodesOf(route)) {
        const entry = Object.values(responses).find((r) =>
          String((r as { description: string }).description).includes(`\`${code}\``),
        );
        expect(entry, `${route.method} ${route.path} ${code}`).toBeDefined();
      }
    }
    const check = doc.paths["/api/check"]?.post?.responses as Record<string, { description: string }>;
    expect(check["409"]?.description).toContain("idempotency_conflict");
    expect(check["401"]?.description).toContain("unauthorized");
  });

  it("has examples that the same zod schemas accept", () => {
    for (const route of ROUTES) {
      if (route.body?.example !== undefined) {
        const r = route.body.schema.safeParse(route.body.example);
        expect(
          r.success,
          `${route.method} ${route.path} request example: ${JSON.stringify(r.error?.issues)}`,
        ).toBe(true);
      }
      for (const [status, res] of Object.entries(route.responses)) {
        if (res.example === undefined || !res.schema) continue;
        const r = res.schema.safeParse(res.example);
        expect(
          r.success,
          `${route.method} ${route.path} ${status} example: ${JSON.stringify(r.error?.issues)}`,
        ).toBe(true);
      }
    }
  });

  it("describes the webhook routes by their contract schemas and real errors, and /metrics as Prometheus text", () => {
    type Op = {
      parameters?: Array<{ name: string }>;
      requestBody?: { content: Record<string, { schema: unknown }> };
      responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>;
    };
    const op = (path: string, method: string) => doc.paths[path]?.[method] as unknown as Op;
    const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
    const body = (o: Op, status: string) => o.responses[status]?.content?.["application/json"]?.schema;

    const create = op("/api/internal/webhooks", "post");
    expect(create.requestBody?.content["application/json"]?.schema).toEqual(
      ref("webhook-subscription-request"),
    );
    expect(body(create, "201")).toEqual(ref("webhook-subscription"));
    expect(body(create, "200")).toEqual(ref("webhook-subscription"));
    expect(create.responses["400"]?.description).toContain("`invalid_request`");
    expect(create.responses["409"]?.description).toContain("`conflict`");

    const list = op("/api/internal/webhooks", "get");
    expect(body(list, "200")).toMatchObject({
      properties: { subscriptions: { items: ref("webhook-subscription") } },
    });
    expect(list.responses["401"]?.description).toContain("`unauthorized`");

    const deliveries = op("/api/internal/webhooks/deliveries", "get");
    expect(body(deliveries, "200")).toEqual(ref("webhook-deliveries-response"));
    expect(deliveries.parameters?.map((p) => p.name)).toEqual([
      "subscription_id",
      "status",
      "event_type",
      "before",
      "limit",
    ]);
    expect(deliveries.responses["400"]?.description).toContain("`invalid_request`");

    const detail = op("/api/internal/webhooks/deliveries/{id}", "get");
    expect(body(detail, "200")).toEqual(ref("webhook-delivery-detail"));
    for (const [path, method] of [
      ["/api/internal/webhooks/deliveries/{id}", "get"],
      ["/api/internal/webhooks/deliveries/{id}/redeliver", "post"],
      ["/api/internal/webhooks/{id}", "delete"],
    ] as const) {
      expect(op(path, method).responses["404"]?.description, `${method} ${path}`).toContain(
        "`webhook_not_found`",
      );
    }
    expect(body(op("/api/internal/webhooks/deliveries/{id}/redeliver", "post"), "202")).toMatchObject({
      properties: { attempts: { type: "integer" }, status: { enum: ["pending", "delivered", "dead"] } },
    });

    const metrics = op("/metrics", "get");
    expect(Object.keys(metrics.responses["200"]?.content ?? {})).toEqual([
      "text/plain; version=0.0.4; charset=utf-8",
    ]);
    expect(metrics.responses["401"]?.description).toContain("`unauthorized`");
  });

  it("gives /metrics the content type the route answers with", async () => {
    const { app } = await buildTestRuntime();
    const res = await app.request("/metrics", { headers: { [INTERNAL_API_KEY_HEADER]: INTERNAL_KEY } });
    expect(res.status).toBe(200);
    const documented = doc.paths["/metrics"]?.get?.responses["200"] as { content: Record<string, unknown> };
    expect(Object.keys(documented.content)).toEqual([res.headers.get("content-type")]);
  });

  it("matches the committed docs/openapi.json", () => {
    const onDisk = readFileSync(COMMITTED, "utf8");
    expect(onDisk, `docs/openapi.json is stale: ${REFRESH}`).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  });
});

describe("GET /openapi.json and GET /docs", () => {
  it("serves the document without auth, before and after start", async () => {
    const { app } = await buildTestRuntime({ start: false });
    const res = await app.request("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toEqual(buildOpenApiDocument());
  });

  it("renders the reference page with a renderer the runtime serves itself (no CDN, no remote fonts)", async () => {
    const { app } = await buildTestRuntime();
    const page = await app.request("/docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="/docs/scalar.js"');
    expect(html).toContain('"url": "/openapi.json"');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await app.request("/docs/scalar.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/text\/javascript/);
    const js = await script.text();
    expect(js.length).toBeGreaterThan(1_000_000);
    expect(js).toContain("createApiReference");
  });
});
