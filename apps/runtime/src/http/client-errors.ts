import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { RequestError } from "@hono/node-server";
import { type ErrorAnswer, errorAnswer } from "@mozaiks/runtime-server";
import type { Logger } from "pino";

/** How long a refused connection may linger (reading what the client still sends) before it is cut. */
const LINGER_MS = 2_000;

type ParserError = Error & { code?: string; reason?: string };

/** Node's own parse and timeout errors mapped to the runtime's error codes. */
function classify(err: ParserError, maxHeaderSize: number): Parameters<typeof errorAnswer> {
  switch (err.code) {
    case "HPE_HEADER_OVERFLOW":
      return ["headers_too_large", `request headers exceed ${maxHeaderSize} bytes`];
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return ["payload_too_large", "chunk extensions of the request body are too large"];
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return ["request_timeout", "the request was not received completely in time"];
    default:
      // llhttp's reasons are fixed phrases ("Invalid method encountered"), never request bytes.
      return ["invalid_request", `malformed HTTP request: ${err.reason ?? err.message}`];
  }
}

function rawResponse(a: ErrorAnswer): string {
  const head = [`HTTP/1.1 ${a.status} ${STATUS_CODES[a.status] ?? ""}`];
  for (const [name, value] of Object.entries(a.headers)) head.push(`${name}: ${value}`);
  return `${head.join("\r\n")}\r\n\r\n${a.body}`;
}

const answered = new WeakSet<Duplex>();

/**
 * The server's `clientError` handler: answers what Node's HTTP parser refuses (oversized headers,
 * malformed request line or framing, bad chunked encoding, Content-Length with Transfer-Encoding,
 * timeouts) with the runtime's flat JSON error and headers, then closes the connection.
 */
export function clientErrorHandler(logger: Logger, maxHeaderSize: number) {
  return (err: ParserError, socket: Duplex): void => {
    if (answered.has(socket)) return;
    answered.add(socket);
    // Never write into a response that already started: the peer would read a corrupt stream.
    const current = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
    if (err.code === "ECONNRESET" || !socket.writable || current?.headersSent) {
      socket.destroy();
      return;
    }
    const answer = errorAnswer(...classify(err, maxHeaderSize));
    logger.info(
      { request_id: answer.requestId, status: answer.status, reason: err.code },
      "request refused by the HTTP parser",
    );
    // End (FIN) instead of destroying at once: closing with unread request bytes sends a reset,
    // which can discard the answer before the client reads it.
    socket.end(rawResponse(answer));
    socket.resume();
    socket.once("end", () => socket.destroy());
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

// Host: a registered name or an IP literal, optionally with a port (ASCII only; IDNs travel punycoded).
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::\d{1,5})?$/;

/** Why the request's Host header is unusable, or `undefined`. HTTP/1.0 may omit it. */
export function hostProblem(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (host === undefined) {
    return req.httpVersionMajor === 1 && req.httpVersionMinor === 0
      ? undefined
      : "missing Host header (HTTP/1.1 requires one)";
  }
  if (!HOST.test(host) || !URL.canParse(`http://${host}/`)) return "invalid Host header";
  return undefined;
}

/**
 * The fetch adapter's error handler: a request it cannot turn into a URL (an odd Host, a backslash
 * in the path) is a 400 with the runtime's shape; anything else is an internal error.
 */
export function adapterErrorHandler(logger: Logger) {
  return (err: unknown): Response => {
    const answer =
      err instanceof RequestError
        ? errorAnswer("invalid_request", `malformed request: ${err.message}`)
        : errorAnswer("internal_error", "Internal server error");
    if (!(err instanceof RequestError))
      logger.error({ err, request_id: answer.requestId }, "unhandled error");
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}

/** Writes an error answer on a Node response. */
export function writeAnswer(res: ServerResponse, answer: ErrorAnswer): void {
  res.writeHead(answer.status, answer.headers).end(answer.body);
}
