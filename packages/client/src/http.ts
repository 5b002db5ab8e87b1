import { ClientError, errorFromAnswer, type MozaiksError, TimeoutError, UnavailableError } from "./errors.js";

/** How the client talks to one runtime. */
export interface TransportOptions {
  /** The runtime's base URL, e.g. `https://app.example.com` or `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Retries of idempotent calls after a 503, a 408 / 504 or no answer (default 2). */
  retries?: number;
  /** First backoff delay; doubled each retry, with jitter (default 200 ms). */
  backoffMs?: number;
  /** Longest wait between attempts, whatever `Retry-After` asks (default 30 s). */
  maxBackoffMs?: number;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

/** One call. `idempotent` calls are retried; others never are (a retry could act twice). */
export interface Call {
  method: "GET" | "POST" | "DELETE";
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  idempotent: boolean;
  signal?: AbortSignal | undefined;
}

/** A successful answer: status, headers and the parsed JSON body (undefined for 204 / 304). */
export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
  requestId: string;
}

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Whether a failed attempt may be repeated (for idempotent calls only). */
function retryable(err: MozaiksError): boolean {
  return err instanceof UnavailableError || err instanceof TimeoutError || err.code === "network_error";
}

/**
 * Sends calls with a request id (`X-Request-Id`, echoed by the runtime, so every error names
 * one), a timeout per attempt, and retries with exponential backoff for idempotent calls,
 * honouring `Retry-After`.
 */
export class Transport {
  readonly #fetch: typeof fetch;
  readonly #base: string;
  constructor(readonly options: TransportOptions) {
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#base = options.baseUrl.replace(/\/+$/, "");
  }

  /** The full URL of `path`. */
  url(path: string): string {
    return `${this.#base}${path}`;
  }

  /** Sends `call` (retrying when allowed) and resolves with its raw response. */
  async raw(call: Call, accept = "application/json"): Promise<{ res: Response; requestId: string }> {
    const retries = call.idempotent ? (this.options.retries ?? 2) : 0;
    const base = this.options.backoffMs ?? 200;
    const cap = this.options.maxBackoffMs ?? 30_000;
    for (let attempt = 0; ; attempt++) {
      const requestId = crypto.randomUUID();
      try {
        const res = await this.#attempt(call, requestId, accept);
        if (res.ok || res.status === 304) return { res, requestId };
        throw await this.#error(res, requestId);
      } catch (err) {
        const e = err as MozaiksError;
        if (attempt >= retries || !retryable(e) || call.signal?.aborted) throw e;
        const hinted = e instanceof UnavailableError ? e.retryAfterMs : undefined;
        const backoff = base * 2 ** attempt * (0.5 + Math.random() / 2);
        await sleep(Math.min(cap, hinted ?? backoff), call.signal);
      }
    }
  }

  /** Sends `call` and parses its JSON answer. */
  async json<T>(call: Call): Promise<Answer<T>> {
    const { res, requestId } = await this.raw(call);
    if (res.status === 204 || res.status === 304)
      return { status: res.status, headers: res.headers, body: undefined as T, requestId };
    const text = await res.text();
    try {
      return { status: res.status, headers: res.headers, body: JSON.parse(text) as T, requestId };
    } catch (cause) {
      throw new ClientError(
        "invalid_response",
        "the runtime's answer is not JSON",
        res.status,
        requestId,
        {},
        { cause },
      );
    }
  }

  async #attempt(call: Call, requestId: string, accept: string): Promise<Response> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept, "x-request-id": requestId, ...call.headers };
    let body: string | undefined;
    if (call.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(call.body);
    }
    try {
      return await this.#fetch(this.url(call.path), { method: call.method, headers, body, signal });
    } catch (cause) {
      if (timeout.aborted && !call.signal?.aborted) {
        throw new TimeoutError("timeout", `no answer within ${timeoutMs} ms`, 0, requestId, {}, { cause });
      }
      if (call.signal?.aborted) throw cause;
      throw new ClientError("network_error", `could not reach ${this.#base}`, 0, requestId, {}, { cause });
    }
  }

  async #error(res: Response, sent: string): Promise<MozaiksError> {
    const requestId = res.headers.get("x-request-id") ?? sent;
    let body: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(await res.text()) as unknown;
      if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // not the runtime's JSON (a proxy's page): classified by status alone
    }
    const err = errorFromAnswer(res.status, body, String(body.request_id ?? requestId));
    if (err instanceof UnavailableError) err.retryAfterMs = retryAfterMs(res.headers.get("retry-after"));
    return err;
  }
}
