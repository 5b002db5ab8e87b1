// Imported only by ./tracing.ts, dynamically: nothing of OpenTelemetry's SDK loads while tracing is off.
import { AsyncLocalStorage } from "node:async_hooks";
import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
} from "@opentelemetry/semantic-conventions";
import type { MiddlewareHandler } from "hono";
import { routeLabel } from "./http.js";

export interface TracingOptions {
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** `service.name` of the resource (`OTEL_SERVICE_NAME`). */
  serviceName: string;
  /** Recorded on every span as `mozaiks.app_id`. */
  appId: string;
}

/** The SDK side of `Tracing` (./tracing.ts): an OTLP/HTTP (JSON) exporter behind a batching processor. */
export function openTracer(options: TracingOptions): {
  middleware: MiddlewareHandler;
  inSpan<T>(name: string, attributes: Record<string, string>, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
} {
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, "")}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("@mozaiks/runtime-server");
  const appId = { "mozaiks.app_id": options.appId };
  // The request's span, for the child spans started while it is handled (no global context manager).
  const current = new AsyncLocalStorage<Context>();
  return {
    // Attributes are bounded like the metrics' labels: the route pattern, never a path or a user.
    middleware: async (c, next) => {
      const method = c.req.method;
      const span = tracer.startSpan(method, {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, ...appId },
      });
      try {
        await current.run(trace.setSpan(ROOT_CONTEXT, span), next);
      } finally {
        const route = routeLabel(c);
        span.updateName(`${method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, c.res.status);
        if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    },
    async inSpan(name, attributes, fn) {
      const parent = current.getStore();
      if (!parent) return fn();
      const span = tracer.startSpan(name, { attributes: { ...attributes, ...appId } }, parent);
      try {
        return await fn();
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).name });
        throw err;
      } finally {
        span.end();
      }
    },
    close: () => provider.shutdown(),
  };
}
