import { stringifyJson } from "@mozaiks/entitlements-core";

/** Retry policy for pushes to a runtime. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** First backoff delay; doubles per retry (default 250 ms). */
  baseDelayMs?: number;
  /** Cap on one delay, including a server's Retry-After (default 5 s). */
  maxDelayMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
}

/** Outcome of delivering one document. */
export interface PushResult {
  ok: boolean;
  attempts: number;
  /** HTTP status of the last response, when there was one. */
  status?: number;
  /** Parsed JSON (or text) of the last response body. */
  body?: unknown;
  /** Why the last attempt failed. */
  error?: string;
}

/** Statuses worth retrying: the request may succeed later unchanged. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function retryAfterMs(res: Response): number | undefined {
  const value = res.headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * POSTs a JSON document with exponential backoff (jittered, capped, honouring Retry-After).
 * Client errors other than 408/429 are final: retrying an unchanged bad request cannot help.
 */
export async function postJsonWithRetry(
  url: string,
  payload: unknown,
  headers: Record<string, string>,
  options: RetryOptions & { sleep?: (ms: number) => Promise<void> } = {},
): Promise<PushResult> {
  const retries = options.retries ?? 3;
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // Written like a bundle file, so a signed document arrives exactly as it was signed.
  const body = stringifyJson(payload);
  let last: PushResult = { ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    let hint: number | undefined;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const resBody = await readBody(res);
      last = { ok: res.ok, attempts: attempt, status: res.status, body: resBody };
      if (res.ok) return last;
      last.error = `HTTP ${res.status}${errorCode(resBody)}`;
      if (!retryable(res.status)) return last;
      hint = retryAfterMs(res);
    } catch (err) {
      last = { ok: false, attempts: attempt, error: describeFetchError(err) };
    }
    if (attempt <= retries) {
      const backoff = base * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      await sleep(Math.min(max, hint ?? backoff));
    }
  }
  return last;
}

function errorCode(body: unknown): string {
  if (typeof body === "object" && body !== null && "error" in body) return ` ${String(body.error)}`;
  return "";
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error && err.name === "TimeoutError") return "request timed out";
  const cause =
    err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `network error: ${cause.code}`;
  if (cause?.message) return `network error: ${cause.message}`;
  return `network error: ${err instanceof Error ? err.message : String(err)}`;
}

/** Route of the runtime that accepts (signed) capability manifests (docs/reference/runtime-api.md). */
export const ENTITLEMENT_SYNC_PATH = "/api/internal/entitlement/sync";

/** One delivered manifest: who it was for and what happened. */
export interface AppPushResult extends PushResult {
  app_id: string;
  user_id?: string;
}

/** How {@link pushToRuntime} authenticates, retries and paces deliveries. */
export interface PushOptions {
  internalKey: string;
  retry?: RetryOptions;
  /** Deliveries in flight at once (default 4). */
  concurrency?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * POSTs documents to `<runtimeUrl>/api/internal/entitlement/sync` with `X-Internal-API-Key`,
 * each with its own retries; one failing app never stops the others. Results keep input order.
 *
 * @example
 * ```ts
 * const results = await pushToRuntime("http://localhost:8080", [signedManifest], { internalKey });
 * ```
 */
export async function pushToRuntime(
  runtimeUrl: string,
  documents: ReadonlyArray<Record<string, unknown>>,
  options: PushOptions,
): Promise<AppPushResult[]> {
  const url = new URL(
    ENTITLEMENT_SYNC_PATH,
    runtimeUrl.endsWith("/") ? runtimeUrl : `${runtimeUrl}/`,
  ).toString();
  const results: AppPushResult[] = new Array(documents.length);
  let next = 0;
  const worker = async () => {
    while (next < documents.length) {
      const i = next++;
      const doc = documents[i] as Record<string, unknown>;
      const res = await postJsonWithRetry(
        url,
        doc,
        { "x-internal-api-key": options.internalKey },
        {
          ...options.retry,
          ...(options.sleep && { sleep: options.sleep }),
        },
      );
      results[i] = {
        app_id: String(doc.app_id),
        ...(typeof doc.user_id === "string" && { user_id: doc.user_id }),
        ...res,
      };
    }
  };
  const n = Math.max(1, Math.min(options.concurrency ?? 4, documents.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}
