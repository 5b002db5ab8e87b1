import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { TracingOptions } from "./otel-tracer.js";

/** Request traces exported over OTLP/HTTP; see docs/guides/operations.md#traces. */
export interface Tracing {
  /** A server span per request, named `METHOD route-pattern`. */
  readonly middleware: MiddlewareHandler;
  /** Exports the spans still buffered and stops the exporter. */
  close(): Promise<void>;
}

/**
 * Tracing when an OTLP endpoint is configured, else `undefined`. The OpenTelemetry SDK is only
 * imported here, lazily, so a runtime without the endpoint loads none of it and mounts no
 * middleware. If the SDK fails to load, requests are served untraced and the failure is logged.
 */
export function createTracing(
  options: Omit<TracingOptions, "endpoint"> & { endpoint: string | undefined },
  logger: Logger,
): Tracing | undefined {
  const { endpoint } = options;
  if (endpoint === undefined) return undefined;
  const loading = import("./otel-tracer.js")
    .then((m) => m.openTracer({ ...options, endpoint }))
    .catch((err: unknown) => {
      logger.error({ err }, "tracing disabled: the OpenTelemetry SDK could not be loaded");
      return undefined;
    });
  return {
    middleware: async (c, next) => {
      const tracer = await loading;
      return tracer ? tracer.middleware(c, next) : next();
    },
    async close() {
      await (await loading)?.close();
    },
  };
}
