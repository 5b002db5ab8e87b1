import { Readable } from "node:stream";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { RuntimeError } from "../errors.js";

/** GET and HEAD carry no body: nothing to bound or read. */
export function mayHaveBody(c: Context): boolean {
  return c.req.method !== "GET" && c.req.method !== "HEAD";
}

/**
 * Reads each request body once, at most `maxBytes` (more is `413 payload_too_large`, refused
 * from `Content-Length` before reading when it is declared). On the runtime's Node server the
 * bytes come straight from the Node request into hono's body cache, so `c.req.text()` and the
 * rest never build a Fetch `Request` with its stream and `AbortSignal` (a good part of a small
 * request's cost, and garbage that outlives it); elsewhere (`app.request`, other adapters)
 * hono's own `bodyLimit` reads the Fetch request.
 */
export function requestBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = (): never => {
    throw new RuntimeError("payload_too_large", `request body exceeds ${maxBytes} bytes`, {
      max_bytes: maxBytes,
    });
  };
  const onFetchRequest = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    if (!mayHaveBody(c)) return next();
    const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
    if (!(incoming instanceof Readable) || incoming.readableDidRead) return onFetchRequest(c, next);
    const bytes = await readNodeBody(incoming, maxBytes);
    if (!bytes) return tooLarge();
    // What hono keeps there are promises of the bodies (its types name the resolved values).
    const cache = c.req.bodyCache as Record<string, Promise<unknown>>;
    cache.text = Promise.resolve(bytes.toString("utf8"));
    cache.arrayBuffer = Promise.resolve(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    await next();
  };
}

/** The whole body, or `undefined` once it exceeds `maxBytes` (the server drains the rest). */
function readNodeBody(incoming: Readable & { headers?: Record<string, unknown> }, maxBytes: number) {
  const declared = Number(incoming.headers?.["content-length"]);
  if (declared > maxBytes && incoming.headers?.["transfer-encoding"] === undefined) {
    return Promise.resolve(undefined);
  }
  return new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      incoming.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        done();
        resolve(undefined);
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      reject(
        new RuntimeError("invalid_request", `request body could not be read: ${err.message}`, { issues: [] }),
      );
    };
    // The client went away before the end: nobody is left to answer, but the handler must not run.
    const onClose = () => {
      if (!incoming.readableEnded) onError(new Error("connection closed"));
    };
    incoming.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}

/** Reads a JSON body; malformed JSON is a 400, never a 500. An empty body reads as `{}` when allowed. */
export async function readJson(c: Context, opts: { emptyAsObject?: boolean } = {}): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") {
    if (opts.emptyAsObject) return {};
    throw new RuntimeError("invalid_request", "request body must be JSON", { issues: [] });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RuntimeError("invalid_request", `request body is not valid JSON: ${(err as Error).message}`, {
      issues: [],
    });
  }
}
