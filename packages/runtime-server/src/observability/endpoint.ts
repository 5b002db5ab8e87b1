import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import type { RuntimeHonoEnv } from "../http/hono-env.js";
import type { RuntimeMetrics } from "./metrics.js";

/** `GET /metrics` in the Prometheus text format (mounted behind the internal key). */
export function metricsRoutes(metrics: RuntimeMetrics) {
  return new Hono<RuntimeHonoEnv>().get("/metrics", async (c) => {
    const text = await metrics.scrape();
    return c.body(text, 200, { "content-type": metrics.contentType });
  });
}

/** The separate metrics listener of `MOZAIKS_METRICS_PORT`. */
export interface MetricsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` without authentication on its own port, for a scraper on a private
 * network; everything else there is 404. Bind it to an address only the scraper reaches.
 */
export function listenMetrics(
  metrics: RuntimeMetrics,
  opts: { host: string; port: number },
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: GET /metrics\n");
      return;
    }
    metrics.scrape().then(
      (text) => res.writeHead(200, { "content-type": metrics.contentType }).end(text),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics collection failed\n"),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
      resolve({
        port,
        url: `http://${host}:${port}/metrics`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
