import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { listen } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { APP_ID } from "../helpers/keys.js";
import { buildTestRuntime } from "../helpers/runtime.js";

const PROBE = fileURLToPath(new URL("./otel-probe.ts", import.meta.url));

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
}
interface OtlpSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: { key: string; value: OtlpValue }[];
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: OtlpValue }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

/** An OTLP/HTTP receiver on loopback keeping every `POST /v1/traces` body. */
async function receiver() {
  const bodies: { path: string | undefined; type: string | undefined; body: string }[] = [];
  const { url } = await listen((req, body, res) => {
    bodies.push({ path: req.url, type: req.headers["content-type"], body });
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  return { url, bodies };
}

function attrs(list: { key: string; value: OtlpValue }[]): Record<string, string | number> {
  return Object.fromEntries(
    list.map(({ key, value }) => [
      key,
      value.stringValue ?? (value.intValue === undefined ? "" : Number(value.intValue)),
    ]),
  );
}

/** Runs test/metrics/otel-probe.ts in its own Node process with this environment. */
async function probe(env: Record<string, string>): Promise<{ statuses: number[]; loaded: string[] }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--conditions=@mozaiks/source", "--import", "tsx", PROBE],
    { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
}

describe("OpenTelemetry traces", () => {
  it("exports a server span per request and a child span per plugin call over OTLP/HTTP JSON, flushed by close(), without user ids", async () => {
    const otlp = await receiver();
    const run = await probe({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_SERVICE_NAME: "runtime-under-test",
    });
    expect(run.statuses).toEqual([200, 200, 404, 404]);

    expect(otlp.bodies.length).toBeGreaterThan(0);
    for (const b of otlp.bodies) {
      expect(b.path).toBe("/v1/traces");
      expect(b.type).toMatch(/^application\/json/);
      expect(b.body).not.toContain("user-secret-42");
    }
    const exports = otlp.bodies.map((b) => JSON.parse(b.body) as OtlpExport);
    const resources = exports.flatMap((e) => e.resourceSpans);
    for (const r of resources)
      expect(attrs(r.resource.attributes)["service.name"]).toBe("runtime-under-test");
    const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const seen = spans.map((s) => ({ name: s.name, kind: s.kind, ...attrs(s.attributes) }));
    const server = 2; // SpanKind.SERVER in OTLP
    expect(seen).toEqual(
      expect.arrayContaining([
        {
          name: "GET /health",
          kind: server,
          "http.request.method": "GET",
          "http.route": "/health",
          "http.response.status_code": 200,
          "mozaiks.app_id": APP_ID,
        },
        {
          name: "POST /api/execute/:plugin_name",
          kind: server,
          "http.request.method": "POST",
          "http.route": "/api/execute/:plugin_name",
          "http.response.status_code": 200,
          "mozaiks.app_id": APP_ID,
        },
        {
          name: "POST /api/execute/:plugin_name",
          kind: server,
          "http.request.method": "POST",
          "http.route": "/api/execute/:plugin_name",
          "http.response.status_code": 404,
          "mozaiks.app_id": APP_ID,
        },
        {
          name: "GET (unmatched)",
          kind: server,
          "http.request.method": "GET",
          "http.route": "(unmatched)",
          "http.response.status_code": 404,
          "mozaiks.app_id": APP_ID,
        },
      ]),
    );
    // The plugin call is a child of its request's span.
    const plugin = spans.filter((s) => s.name === "plugin echo");
    expect(plugin.map((s) => ({ kind: s.kind, ...attrs(s.attributes) }))).toEqual([
      { kind: 1 /* INTERNAL */, "mozaiks.plugin": "echo", "mozaiks.app_id": APP_ID },
    ]);
    const request = spans.find(
      (s) =>
        s.name === "POST /api/execute/:plugin_name" &&
        attrs(s.attributes)["http.response.status_code"] === 200,
    );
    expect(plugin[0]?.parentSpanId).toBe(request?.spanId);
    expect(plugin[0]?.traceId).toBe(request?.traceId);
    expect(spans).toHaveLength(5);
  });

  it("rejects an endpoint that is not a URL at start-up", async () => {
    await expect(buildTestRuntime({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" } })).rejects.toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/,
    );
  });

  it("loads no OpenTelemetry SDK module while the endpoint is unset", async () => {
    const run = await probe({});
    expect(run.statuses).toEqual([200, 200, 404, 404]);
    // Only the API, which prom-client's CPU metric requires on its own whenever it is installed
    // (for exemplars; a no-op without a provider): no SDK, exporter or resource module.
    expect(run.loaded.filter((name) => name !== "@opentelemetry/api")).toEqual([]);
    // The same probe does see the SDK when tracing is on, so the empty list means something.
    const otlp = await receiver();
    const traced = await probe({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url });
    expect(traced.loaded).toEqual(
      expect.arrayContaining(["@opentelemetry/exporter-trace-otlp-http", "@opentelemetry/sdk-trace-base"]),
    );
  }, 120_000);
});
