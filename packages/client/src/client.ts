import type {
  CheckRequest,
  CheckResponse,
  EntitlementsResponse,
  PluginListResponse,
  RunEvent,
  TrackEvent,
  TrackResponse,
  UsageHistoryResponse,
  UsageIngestBatch,
  UsageIngestResponse,
  UsageQuery,
  WorkflowRunRequest,
  WorkflowRunResponse,
} from "@mozaiks/contracts";
import { ClientError } from "./errors.js";
import { type Answer, type Call, Transport, type TransportOptions } from "./http.js";
import { parseSse } from "./sse.js";

/** Header naming the version of the caller's entitlements (changes with a sync, not with usage). */
export const ENTITLEMENTS_VERSION_HEADER = "x-mozaiks-entitlements-version";

/** Options of {@link MozaiksClient}. */
export interface MozaiksClientOptions extends TransportOptions {
  /** The user's bearer token, or a function that returns a fresh one for each call. */
  token?: string | (() => string | Promise<string>);
  /** `X-Internal-API-Key`, for the internal calls (`client.internal`); keep it on your backend. */
  internalKey?: string;
}

/** A check's answer plus the entitlements version it was decided under. */
export type CheckResult = CheckResponse & { entitlementsVersion: string | null };

/** A conditional `GET /api/entitlements`: unchanged, or the new answer with its validators. */
export type EntitlementsFetch =
  | { changed: false; etag: string }
  | { changed: true; etag: string | null; version: string | null; entitlements: EntitlementsResponse };

/** One event of a run's stream, with its SSE id (pass it as `lastEventId` to resume). */
export interface RunStreamEvent {
  id: string | undefined;
  event: RunEvent;
}

/** Query of a usage history call. */
export type UsageHistoryQuery = Omit<UsageQuery, "user_id">;

const query = (q: Record<string, unknown>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
};

/**
 * The typed client of a Mozaiks runtime. User calls send the bearer `token`; `internal` calls
 * send the `internalKey`. Reads, checks without `consume`, consuming checks with an
 * `idempotency_key`, tracking (idempotent by `event_id`) and ingest are retried on 503 / no
 * answer; launches and plugin executions are not.
 *
 * @example
 * ```ts
 * const mozaiks = new MozaiksClient({ baseUrl: "http://127.0.0.1:8080", token: userJwt });
 * const { allowed } = await mozaiks.check({ capability: "cap.feature.export" });
 * ```
 */
export class MozaiksClient {
  readonly transport: Transport;
  /** Calls behind `X-Internal-API-Key` (the app's backend, the platform). */
  readonly internal: InternalCalls;

  constructor(readonly options: MozaiksClientOptions) {
    this.transport = new Transport(options);
    this.internal = new InternalCalls(this.transport, options.internalKey);
  }

  async #user(): Promise<Record<string, string>> {
    const t = this.options.token;
    if (t === undefined) {
      throw new ClientError(
        "not_configured",
        "this call needs a user token (the token option)",
        0,
        "(not sent)",
      );
    }
    return { authorization: `Bearer ${typeof t === "function" ? await t() : t}` };
  }

  async #call<T>(call: Omit<Call, "headers"> & { headers?: Record<string, string> }): Promise<Answer<T>> {
    return this.transport.json<T>({ ...call, headers: { ...(await this.#user()), ...call.headers } });
  }

  /** The body of a `GET` of `path` (a GET changes nothing, so it is retried). */
  async #get<T>(path: string, signal: AbortSignal | undefined): Promise<T> {
    return (await this.#call<T>({ method: "GET", path, idempotent: true, signal })).body;
  }

  /** `POST /api/check`: may the caller use a capability, or do `requested` more units of a limit fit? */
  async check(req: CheckRequest, opts: { signal?: AbortSignal } = {}): Promise<CheckResult> {
    const a = await this.#call<CheckResponse>({
      method: "POST",
      path: "/api/check",
      body: req,
      idempotent: isIdempotentCheck(req),
      signal: opts.signal,
    });
    return { ...a.body, entitlementsVersion: a.headers.get(ENTITLEMENTS_VERSION_HEADER) };
  }

  /** `POST /api/track`: the caller's usage of limit metrics (idempotent by `event_id`). */
  async track(events: TrackEvent[], opts: { signal?: AbortSignal } = {}): Promise<TrackResponse> {
    return (
      await this.#call<TrackResponse>({
        method: "POST",
        path: "/api/track",
        body: { events },
        idempotent: true,
        signal: opts.signal,
      })
    ).body;
  }

  /** `GET /api/entitlements`: the caller's capabilities, limits with usage, and source. */
  async entitlements(opts: { signal?: AbortSignal } = {}): Promise<EntitlementsResponse> {
    return this.#get("/api/entitlements", opts.signal);
  }

  /** `GET /api/entitlements` with `If-None-Match: etag`: says whether they changed since. */
  async entitlementsIfChanged(
    etag: string | null,
    opts: { signal?: AbortSignal } = {},
  ): Promise<EntitlementsFetch> {
    const a = await this.#call<EntitlementsResponse>({
      method: "GET",
      path: "/api/entitlements",
      idempotent: true,
      signal: opts.signal,
      ...(etag ? { headers: { "if-none-match": etag } } : {}),
    });
    if (a.status === 304 && etag) return { changed: false, etag };
    return {
      changed: true,
      etag: a.headers.get("etag"),
      version: a.headers.get(ENTITLEMENTS_VERSION_HEADER),
      entitlements: a.body,
    };
  }

  /** `GET /api/usage`: the caller's usage buckets (one page; pass `next_cursor` as `cursor`). */
  async usage(q: UsageHistoryQuery = {}, opts: { signal?: AbortSignal } = {}): Promise<UsageHistoryResponse> {
    return this.#get(`/api/usage${query(q)}`, opts.signal);
  }

  /** `GET /api/plugins`: the plugins and whether the caller may run each. */
  async plugins(opts: { signal?: AbortSignal } = {}): Promise<PluginListResponse> {
    return this.#get("/api/plugins", opts.signal);
  }

  /** `POST /api/execute/:plugin`: runs a plugin with `input` (never retried). */
  async execute<T = unknown>(
    plugin: string,
    input: Record<string, unknown> = {},
    opts: { signal?: AbortSignal } = {},
  ): Promise<T> {
    return (
      await this.#call<T>({
        method: "POST",
        path: `/api/execute/${encodeURIComponent(plugin)}`,
        body: input,
        idempotent: false,
        signal: opts.signal,
      })
    ).body;
  }

  /** `POST /api/workflows/:name/runs`: launches a run (never retried). */
  async startRun(
    workflow: string,
    req: WorkflowRunRequest = { input: {} },
    opts: { signal?: AbortSignal } = {},
  ): Promise<WorkflowRunResponse> {
    return (
      await this.#call<WorkflowRunResponse>({
        method: "POST",
        path: `/api/workflows/${encodeURIComponent(workflow)}/runs`,
        body: req,
        idempotent: false,
        signal: opts.signal,
      })
    ).body;
  }

  /**
   * The events of a run (`GET /api/runs/:run_id/events`, server-sent events) until the stream
   * ends. A dropped connection is resumed with `Last-Event-ID` (up to `retries` times in a
   * row), so no event is seen twice or lost; `lastEventId` resumes an earlier iteration.
   */
  async *runEvents(
    runId: string,
    opts: { lastEventId?: string; signal?: AbortSignal; retries?: number } = {},
  ): AsyncGenerator<RunStreamEvent> {
    let last = opts.lastEventId;
    let failures = 0;
    for (;;) {
      const headers: Record<string, string> = { ...(await this.#user()) };
      if (last !== undefined) headers["last-event-id"] = last;
      const { res } = await this.transport.raw(
        {
          method: "GET",
          path: `/api/runs/${encodeURIComponent(runId)}/events`,
          headers,
          idempotent: true,
          signal: opts.signal,
        },
        "text/event-stream",
      );
      if (!res.body) return;
      try {
        for await (const m of parseSse(res.body)) {
          failures = 0;
          if (m.id !== undefined) last = m.id;
          yield { id: m.id, event: JSON.parse(m.data) as RunEvent };
        }
        return;
      } catch (err) {
        if (opts.signal?.aborted || ++failures > (opts.retries ?? 3)) throw err;
      }
    }
  }
}

/** Calls behind the internal key. */
export class InternalCalls {
  constructor(
    private readonly transport: Transport,
    private readonly key: string | undefined,
  ) {}

  #headers(): Record<string, string> {
    if (this.key === undefined) {
      throw new ClientError("not_configured", "internal calls need the internalKey option", 0, "(not sent)");
    }
    return { "x-internal-api-key": this.key };
  }

  /** `POST /api/check` on behalf of `userId`. */
  async check(userId: string, req: CheckRequest): Promise<CheckResult> {
    const a = await this.transport.json<CheckResponse>({
      method: "POST",
      path: "/api/check",
      headers: this.#headers(),
      body: { ...req, user_id: userId },
      idempotent: isIdempotentCheck(req),
    });
    return { ...a.body, entitlementsVersion: a.headers.get(ENTITLEMENTS_VERSION_HEADER) };
  }

  /** `POST /api/track` for any user (`user_id` per event; none charges the app). */
  async track(events: TrackEvent[]): Promise<TrackResponse> {
    return (
      await this.transport.json<TrackResponse>({
        method: "POST",
        path: "/api/track",
        headers: this.#headers(),
        body: { events },
        idempotent: true,
      })
    ).body;
  }

  /** `GET /api/internal/usage?user_id=`. */
  async usage(userId: string, q: UsageHistoryQuery = {}): Promise<UsageHistoryResponse> {
    return (
      await this.transport.json<UsageHistoryResponse>({
        method: "GET",
        path: `/api/internal/usage${query({ ...q, user_id: userId })}`,
        headers: this.#headers(),
        idempotent: true,
      })
    ).body;
  }

  /** `POST /api/internal/entitlement/sync`: a v1.1 payload or a (signed) manifest. Not retried. */
  async sync(payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    return (
      await this.transport.json<Record<string, unknown>>({
        method: "POST",
        path: "/api/internal/entitlement/sync",
        headers: this.#headers(),
        body: payload,
        idempotent: false,
      })
    ).body;
  }

  /** `POST /api/usage/ingest`: a batch of token usage events (idempotent by `event_id`). */
  async ingest(batch: UsageIngestBatch): Promise<UsageIngestResponse> {
    return (
      await this.transport.json<UsageIngestResponse>({
        method: "POST",
        path: "/api/usage/ingest",
        headers: this.#headers(),
        body: batch,
        idempotent: true,
      })
    ).body;
  }
}

/** A check changes nothing, or consumes under an idempotency key: safe to repeat. */
function isIdempotentCheck(req: CheckRequest): boolean {
  return !("limit" in req) || !req.consume || req.idempotency_key !== undefined;
}
