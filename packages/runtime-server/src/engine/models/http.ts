import { isModelError, ModelError, type ModelErrorReason, redact } from "./errors.js";

/** How one provider's requests are sent. */
export interface ProviderHttpOptions {
  /** Provider name, for messages. */
  provider: string;
  /** Further attempts after a 429, a 5xx or a connection failure. */
  retries: number;
  /** Bound on one attempt, response body included. */
  timeoutMs: number;
  /** Values never to appear in messages (the API key). */
  secrets: readonly string[];
  /** First backoff delay when the provider gives no `Retry-After` (doubles per attempt). */
  backoffMs?: number;
}

/** Longest `Retry-After` the engine waits; a provider asking for more fails the call at once. */
export const MAX_RETRY_WAIT_MS = 60_000;
const DEFAULT_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 8_000;
const ERROR_EXCERPT = 300;

/** Statuses worth another attempt: timeouts, conflicts, rate limits and server errors. */
function retryable(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Delay a response asks for: `retry-after-ms` (OpenAI), else `Retry-After` in seconds or as an
 * HTTP date; undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The provider's own error message from a JSON error body (OpenAI, Anthropic, Ollama shapes). */
function errorExcerpt(text: string): string {
  let message = text;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    const e = body.error;
    if (typeof e === "string") message = e;
    else if (e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string")
      message = (e as { message: string }).message;
    else if (typeof body.message === "string") message = body.message;
  } catch {
    // not JSON: the text itself
  }
  message = message.replace(/\s+/g, " ").trim();
  return message.length > ERROR_EXCERPT ? `${message.slice(0, ERROR_EXCERPT)}…` : message;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * POSTs a provider request and reads its answer with `read`, within `timeoutMs` per attempt.
 * A 429, 408/409, 5xx or a failed connection is retried up to `retries` times, after the
 * response's `Retry-After` (at most {@link MAX_RETRY_WAIT_MS}) or an exponential backoff; any
 * other status, and a timeout once the request was sent, fail at once (the provider may have
 * done billable work). Aborting `signal` (the run's) ends the call with reason `cancelled`.
 * Every message is redacted of `secrets`.
 */
export async function postWithRetries<T>(
  opts: ProviderHttpOptions,
  url: string,
  init: { headers: Record<string, string>; body: string; signal?: AbortSignal | undefined },
  read: (res: Response) => Promise<T>,
): Promise<T> {
  const clean = (s: string) => redact(s, opts.secrets);
  const fail = (
    reason: ModelErrorReason,
    message: string,
    extra: { cause?: unknown; status?: number } = {},
  ) => new ModelError(reason, clean(`model provider '${opts.provider}': ${message}`), extra);
  const backoff = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
  for (let attempt = 0; ; attempt++) {
    if (init.signal?.aborted) throw fail("cancelled", "the run was cancelled");
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const aborted = (err: unknown) =>
      init.signal?.aborted
        ? fail("cancelled", "the run was cancelled", { cause: err })
        : fail("model_timeout", `no complete answer within ${opts.timeoutMs} ms`, { cause: err });
    let res: Response;
    try {
      res = await fetch(url, { method: "POST", headers: init.headers, body: init.body, signal });
    } catch (err) {
      if (signal.aborted) throw aborted(err);
      const why = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      if (attempt >= opts.retries) throw fail("model_unavailable", `cannot connect (${why})`, { cause: err });
      await sleep(Math.min(MAX_BACKOFF_MS, backoff * 2 ** attempt), init.signal).catch((e) => {
        throw aborted(e);
      });
      continue;
    }
    if (res.ok) {
      try {
        return await read(res);
      } catch (err) {
        if (signal.aborted) throw aborted(err);
        if (isModelError(err)) throw fail(err.reason, err.message, { cause: err });
        throw fail("model_bad_response", `unreadable answer: ${(err as Error).message}`, { cause: err });
      }
    }
    const text = await res.text().catch(() => "");
    const detail = `HTTP ${res.status}${text ? `: ${errorExcerpt(text)}` : ""}`;
    if (!retryable(res.status)) throw fail("model_request_rejected", detail, { status: res.status });
    const reason: ModelErrorReason = res.status === 429 ? "model_rate_limited" : "model_unavailable";
    const asked = retryAfterMs(res.headers);
    if (attempt >= opts.retries) {
      throw fail(reason, `${detail} (after ${attempt + 1} attempts)`, { status: res.status });
    }
    if (asked !== undefined && asked > MAX_RETRY_WAIT_MS) {
      throw fail(reason, `${detail} (asks to retry after ${Math.ceil(asked / 1000)} s)`, {
        status: res.status,
      });
    }
    const wait = asked ?? Math.min(MAX_BACKOFF_MS, backoff * 2 ** attempt);
    await sleep(wait, init.signal).catch((e) => {
      throw aborted(e);
    });
  }
}

/** Fails a read whose JSON is not what the protocol promises. */
export function badResponse(message: string): ModelError {
  return new ModelError("model_bad_response", message);
}
