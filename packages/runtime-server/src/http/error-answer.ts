import { type ErrorCode, RUNTIME_CONTRACT_VERSION, RUNTIME_VERSION_HEADER } from "@mozaiks/contracts";
import { RuntimeError } from "../errors.js";

/** A complete error answer: status, headers and the serialized flat JSON body. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  requestId: string;
}

/**
 * The flat error answer `{error, message, request_id}` with the runtime's headers, for code that
 * answers outside the hono app (the HTTP server's own refusals: malformed requests, shutdown).
 * It closes the connection, because the server cannot trust or no longer serves what follows.
 *
 * @example
 * ```ts
 * const a = errorAnswer("shutting_down", "the runtime is shutting down");
 * res.writeHead(a.status, a.headers).end(a.body);
 * ```
 */
export function errorAnswer(code: ErrorCode, message: string): ErrorAnswer {
  const err = new RuntimeError(code, message);
  const requestId = crypto.randomUUID();
  const body = JSON.stringify({ ...err.toJSON(), request_id: requestId });
  return {
    status: err.status,
    requestId,
    body,
    headers: {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      connection: "close",
      [RUNTIME_VERSION_HEADER]: RUNTIME_CONTRACT_VERSION,
      "x-request-id": requestId,
    },
  };
}
