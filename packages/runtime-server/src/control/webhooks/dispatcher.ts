import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import { webhookHeaders } from "./signing.js";
import type { MessageRow, Subscription, WebhookStore } from "./store.js";

/** Retry policy and timing of webhook deliveries (`MOZAIKS_WEBHOOK_*`). */
export interface DeliveryPolicy {
  /** Attempts before a message is `dead` (stays in the log; an operator may redeliver it). */
  maxAttempts: number;
  /** Wait after the first failure; each further failure doubles it, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Longest wait for a receiver's answer. */
  timeoutMs: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 15,
  retryBaseMs: 5_000,
  retryMaxMs: 3_600_000,
  timeoutMs: 10_000,
};

/** Wait before the attempt after `failures` failed ones: base × 2^(failures−1), capped. */
export function backoffMs(policy: DeliveryPolicy, failures: number): number {
  return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, failures - 1));
}

/** What one drain did. */
export interface DrainResult {
  delivered: number;
  failed: number;
  dead: number;
}

/** Messages sent at once (a receiver that hangs holds one slot until its timeout). */
const PARALLEL = 8;
const BATCH = 100;

/**
 * Delivers the outbox: due messages are claimed (a lease), POSTed with their Standard Webhooks
 * signature (signed at each attempt, over the exact stored body), and the outcome is logged with
 * the message's new state in one transaction. A failure (no 2xx answer in time) is retried with
 * exponential backoff until `maxAttempts`; the same `webhook-id` travels on every attempt, so a
 * receiver deduplicates retries of a delivery it did get (at-least-once).
 */
export class WebhookDispatcher {
  #running: Promise<DrainResult> | undefined;
  #again = false;
  #stopped = false;
  readonly #inFlight = new Set<AbortController>();

  constructor(
    private readonly deps: {
      store: WebhookStore;
      clock: Clock;
      logger: Logger;
      policy: DeliveryPolicy;
      subscription(id: string): Subscription | undefined;
      onResult?(eventType: string, result: "delivered" | "failed" | "dead"): void;
    },
  ) {}

  /** Starts a drain soon; coalesces with a running one. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    setImmediate(() => {
      this.drain().catch((err: unknown) => this.deps.logger.error({ err }, "webhook drain failed"));
    });
  }

  /** Delivers every message due now; concurrent calls share one run. */
  drain(): Promise<DrainResult> {
    if (this.#running) return this.#running;
    this.#again = false;
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
      if (this.#again) this.kick();
    });
    return this.#running;
  }

  async #loop(): Promise<DrainResult> {
    const total: DrainResult = { delivered: 0, failed: 0, dead: 0 };
    const seen = new Set<string>();
    while (!this.#stopped) {
      const now = this.deps.clock.now().getTime();
      const rows = (await this.deps.store.due(now, BATCH)).filter((r) => !seen.has(r.id));
      if (rows.length === 0) return total;
      for (let i = 0; i < rows.length; i += PARALLEL) {
        const results = await Promise.all(rows.slice(i, i + PARALLEL).map((r) => this.#deliver(r)));
        for (const r of results) if (r) total[r]++;
      }
      for (const r of rows) seen.add(r.id);
    }
    return total;
  }

  async #deliver(row: MessageRow): Promise<keyof DrainResult | undefined> {
    const { store, clock, policy } = this.deps;
    const start = clock.now().getTime();
    // The lease outlives the request's timeout, so a crash mid-attempt frees the message again.
    if (!(await store.claim(row.id, start, start + policy.timeoutMs * 2 + 1_000))) return undefined;
    const sub = this.deps.subscription(row.subscription_id);
    const attempt = Number(row.attempts) + 1;
    let httpStatus: number | null = null;
    let error: string | null = null;
    const t0 = performance.now();
    if (!sub?.enabled) {
      error = sub ? "subscription disabled" : "subscription removed";
    } else {
      const abort = new AbortController();
      this.#inFlight.add(abort);
      const timer = setTimeout(() => abort.abort(), policy.timeoutMs);
      try {
        const ts = Math.floor(clock.now().getTime() / 1000);
        const res = await fetch(sub.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "mozaiks-runtime-webhooks",
            ...webhookHeaders(sub.secret, row.id, ts, row.payload),
          },
          body: row.payload,
          redirect: "manual",
          signal: abort.signal,
        });
        httpStatus = res.status;
        await res.body?.cancel().catch(() => undefined);
        if (res.status < 200 || res.status > 299) error = `receiver answered ${res.status}`;
      } catch (err) {
        error = abort.signal.aborted ? `no answer within ${policy.timeoutMs} ms` : describe(err);
      } finally {
        clearTimeout(timer);
        this.#inFlight.delete(abort);
      }
    }
    const at = clock.now().getTime();
    const ok = error === null;
    const dead = !ok && (attempt >= policy.maxAttempts || !sub);
    const status = ok ? "delivered" : dead ? "dead" : "pending";
    await store.recordAttempt({
      messageId: row.id,
      attempt,
      at,
      httpStatus,
      error,
      durationMs: performance.now() - t0,
      status,
      nextAttemptAt: status === "pending" ? at + backoffMs(policy, attempt) : at,
    });
    const result = ok ? "delivered" : dead ? "dead" : "failed";
    this.deps.onResult?.(row.event_type, result);
    if (!ok) {
      this.deps.logger.warn(
        { webhook_id: row.id, subscription: row.subscription_id, attempt, dead, err: error },
        dead ? "webhook delivery dead after its last attempt" : "webhook delivery failed; will retry",
      );
    }
    return result;
  }

  /** Stops scheduling, aborts requests in flight (their messages are retried later) and waits. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const a of this.#inFlight) a.abort();
    await this.#running?.catch(() => undefined);
  }
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? "fetch failed"} (${cause})` : (e.message ?? String(err));
}
