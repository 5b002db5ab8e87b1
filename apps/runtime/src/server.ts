import {
  createServer,
  type IncomingMessage,
  maxHeaderSize,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { errorAnswer, type RuntimeApp } from "@mozaiks/runtime-server";
import type { Logger } from "pino";
import { adapterErrorHandler, clientErrorHandler, hostProblem, writeAnswer } from "./http/client-errors.js";
import { ConnectionDrain } from "./http/drain.js";

/** A listening runtime. */
export interface RunningServer {
  url: string;
  port: number;
  /**
   * Refuses new requests (`503 shutting_down`, `Connection: close`), closes idle connections,
   * waits for in-flight requests (up to `deadlineMs`), then stops listening and closes the runtime.
   */
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
 * Serves a runtime app on `host:port` through `@hono/node-server`'s request listener. Requests
 * the app never sees (refused by Node's parser, a bad Host, or arriving during shutdown) get the
 * same flat JSON errors and `X-Mozaiks-Runtime-Version` header as the app's own.
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
  const { logger } = opts;
  const fetchListener = getRequestListener(app.fetch, {
    hostname: opts.host,
    errorHandler: adapterErrorHandler(logger),
  });
  // Missing Host is checked below, so that refusal has the runtime's shape too.
  const server = createServer({ requireHostHeader: false });
  const drain = new ConnectionDrain(server);
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (drain.isDraining) {
      writeAnswer(
        res,
        errorAnswer("shutting_down", "the runtime is shutting down; retry on another instance"),
      );
      return;
    }
    const badHost = hostProblem(req);
    if (badHost) {
      writeAnswer(res, errorAnswer("invalid_request", badHost));
      return;
    }
    drain.track(req, res);
    void fetchListener(req, res);
  });
  server.on("clientError", clientErrorHandler(logger, maxHeaderSize));

  return new Promise((resolvePromise, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === "EADDRINUSE" ? new PortInUseError(opts.host, opts.port) : err);
    };
    server.once("error", onError);
    server.listen(opts.port, opts.host, () => {
      server.off("error", onError);
      const info = server.address() as AddressInfo;
      const host = info.address.includes(":") ? `[${info.address}]` : info.address;
      resolvePromise({
        url: `http://${host}:${info.port}`,
        port: info.port,
        shutdown: (deadlineMs) => shutdown(server, drain, app, logger, deadlineMs),
      });
    });
  });
}

async function shutdown(
  server: Server,
  drain: ConnectionDrain,
  app: RuntimeApp,
  logger: Logger,
  deadlineMs: number,
): Promise<void> {
  // The port stays open while draining so late clients read a clear 503 instead of a refused connection.
  const drained = drain.drain();
  logger.info(
    { deadline_ms: deadlineMs, in_flight: drain.inFlight },
    "shutting down: refusing new requests, draining in-flight ones",
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"deadline">((done) => {
    timer = setTimeout(() => done("deadline"), deadlineMs);
  });
  if ((await Promise.race([drained, deadline])) === "deadline") {
    logger.warn({ in_flight: drain.inFlight }, "drain deadline reached: closing remaining connections");
  }
  clearTimeout(timer);
  const closed = new Promise<void>((done) => server.close(() => done()));
  drain.closeAll();
  server.closeAllConnections();
  await closed;
  await app.runtime.close();
  logger.info("runtime closed");
}
