// Imported only by ./tracing.ts, dynamically: nothing of OpenTelemetry loads while tracing is off.
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

// The API's SpanKind.SERVER and SpanStatusCode.ERROR: the API itself is the SDK's peer, not ours.
const SPAN_KIND_SERVER = 1;
const STATUS_ERROR = 2;

export interface TracingOptions {
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** `service.name` of the resource (`OTEL_SERVICE_NAME`). */
  serviceName: string;
  /** Recorded on every span as `mozaiks.app_id`. */
  appId: string;
}

/** The SDK side of {@link Tracing}: an OTLP/HTTP (JSON) exporter behind a batching processor. */
export function openTracer(options: TracingOptions): {
  middleware: MiddlewareHandler;
  close(): Promise<void>;
} {
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, "")}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("@mozaiks/runtime-server");
  return {
    // Attributes are bounded like the metrics' labels: the route pattern, never a path or a user.
    middleware: async (c, next) => {
      const method = c.req.method;
      const span = tracer.startSpan(method, {
        kind: SPAN_KIND_SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, "mozaiks.app_id": options.appId },
      });
      try {
        await next();
      } finally {
        const route = routeLabel(c);
        span.updateName(`${method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, c.res.status);
        if (c.res.status >= 500) span.setStatus({ code: STATUS_ERROR });
        span.end();
      }
    },
    close: () => provider.shutdown(),
  };
}
