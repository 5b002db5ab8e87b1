import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { RuntimeMetrics } from "./metrics.js";

/** Route label of requests no route matched (a raw path would make the label set unbounded). */
export const UNMATCHED_ROUTE = "(unmatched)";

const unmatched = new WeakSet<Request>();

/** Marks the request as answered by the not-found handler. */
export function markUnmatched(c: Context): void {
  unmatched.add(c.req.raw);
}

/** The route pattern that answered the request (bounded: never a raw path). */
export function routeLabel(c: Context): string {
  return unmatched.has(c.req.raw) ? UNMATCHED_ROUTE : routePath(c) || UNMATCHED_ROUTE;
}

/**
 * Counts and times every request by method, route pattern (`/api/execute/:plugin_name`, the
 * pattern of the route or middleware that answered) and status. Mounted first, so it sees the
 * final status of errors and refusals too.
 */
export function requestMetrics(metrics: RuntimeMetrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const labels = { method: c.req.method, route: routeLabel(c), status: String(c.res.status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}
