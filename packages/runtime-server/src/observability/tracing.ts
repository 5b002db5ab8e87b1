import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { PluginExecutor } from "../control/plugins/registry.js";
import type { TracingOptions } from "./otel-tracer.js";

/** Request traces exported over OTLP/HTTP; see docs/guides/operations.md#traces. */
export interface Tracing {
  /** A server span per request, named `METHOD route-pattern`. */
  readonly middleware: MiddlewareHandler;
  /** Runs `fn` in a child span of the request being handled (untraced outside a request). */
  inSpan<T>(name: string, attributes: Record<string, string>, fn: () => Promise<T>): Promise<T>;
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
    async inSpan(name, attributes, fn) {
      const tracer = await loading;
      return tracer ? tracer.inSpan(name, attributes, fn) : fn();
    },
    async close() {
      await (await loading)?.close();
    },
  };
}

/** The executor with each plugin call in a `plugin <name>` span (routes and workflow tool calls). */
export function tracedExecutor(executor: PluginExecutor, tracing: Tracing | undefined): PluginExecutor {
  if (!tracing) return executor;
  return {
    run: (plugin, data) =>
      tracing.inSpan(`plugin ${plugin.descriptor.name}`, { "mozaiks.plugin": plugin.descriptor.name }, () =>
        executor.run(plugin, data),
      ),
    close: () => executor.close(),
    get stats() {
      return executor.stats;
    },
  };
}
