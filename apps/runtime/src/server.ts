import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import type { RuntimeApp } from "@mozaiks/runtime-server";
import type { Logger } from "pino";

/** A listening runtime. */
export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting, drains in-flight requests (up to `deadlineMs`), then closes the runtime. */
  shutdown(deadlineMs: number): Promise<void>;
}

/** Raised when the port is taken, with a message that says what to do. */
export class PortInUseError extends Error {
  readonly code = "port_in_use" as const;
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `Port ${port} on ${host} is already in use. Stop the other process or set MOZAIKS_PORT to a free port (0 picks one).`,
    );
    this.name = "PortInUseError";
  }
}

/**
 * Serves a runtime app with `@hono/node-server` on `host:port`.
 *
 * @example
 * ```ts
 * const server = await listen(app, { host: "127.0.0.1", port: 8080, logger });
 * process.on("SIGTERM", () => server.shutdown(10_000));
 * ```
 */
export function listen(
  app: RuntimeApp,
  opts: { host: string; port: number; logger: Logger },
): Promise<RunningServer> {
  return new Promise((resolvePromise, reject) => {
    let server: ServerType;
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === "EADDRINUSE" ? new PortInUseError(opts.host, opts.port) : err);
    };
    server = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port }, (info: AddressInfo) => {
      server.off("error", onError);
      const host = info.address.includes(":") ? `[${info.address}]` : info.address;
      const url = `http://${host}:${info.port}`;
      resolvePromise({
        url,
        port: info.port,
        shutdown: (deadlineMs) => shutdown(server, app, opts.logger, deadlineMs),
      });
    });
    server.once("error", onError);
  });
}

async function shutdown(
  server: ServerType,
  app: RuntimeApp,
  logger: Logger,
  deadlineMs: number,
): Promise<void> {
  logger.info({ deadline_ms: deadlineMs }, "shutting down: draining in-flight requests");
  await new Promise<void>((done) => {
    const timer = setTimeout(() => {
      logger.warn("drain deadline reached: closing remaining connections");
      if ("closeAllConnections" in server) server.closeAllConnections();
    }, deadlineMs);
    timer.unref();
    // close() stops accepting and (Node >= 19) closes idle keep-alive sockets; it calls back
    // once every in-flight request has finished.
    server.close(() => {
      clearTimeout(timer);
      done();
    });
  });
  await app.runtime.close();
  logger.info("runtime closed");
}
