import type { UsageIngestBatch } from "@mozaiks/contracts";
import { isEntitlementsError } from "@mozaiks/entitlements-core";
import { type LimitContext, TOKENS_MONTHLY, UsageLedger, type UsageLedgerDeps } from "../usage/ledger.js";
import type { ControlSignals, LimitUse } from "./signals.js";

type ReserveOpts = Parameters<UsageLedger["reserve"]>[0];
type HoldOpts = Parameters<UsageLedger["hold"]>[0];

/**
 * The usage ledger, watched from outside: after each reservation, hold and ingest it reports
 * the counted usage (`limitUse`) and units asked for past a limit (`limitHit`) from what the
 * ledger returned, so thresholds and limit metrics never reach into the ledger's writes. A
 * signal lost to a crash right after the write is not lost for good: the next use of the limit
 * reports the counter again.
 */
export class WatchedUsageLedger extends UsageLedger {
  readonly #deps: UsageLedgerDeps;
  readonly #signals: ControlSignals;

  constructor(deps: UsageLedgerDeps, signals: ControlSignals) {
    super(deps);
    this.#deps = deps;
    this.#signals = signals;
  }

  override async reserve(opts: ReserveOpts): ReturnType<UsageLedger["reserve"]> {
    const requested = opts.amount ?? 1;
    let r: Awaited<ReturnType<UsageLedger["reserve"]>>;
    try {
      r = await super.reserve(opts);
    } catch (err) {
      if (isEntitlementsError(err) && err.code === "limit_exceeded") {
        const use = this.#use(opts.ctx, opts.limitId, err.currentUsage);
        if (use) this.#signals.emit("limitHit", { ...use, requested, outcome: "refused" });
      }
      throw err;
    }
    if (!r.duplicate) {
      const use = this.#use(opts.ctx, opts.limitId, r.usedBefore + requested);
      if (use) {
        this.#signals.emit("limitUse", use);
        if (use.used > use.limit) this.#signals.emit("limitHit", { ...use, requested, outcome: "allowed" });
      }
    }
    return r;
  }

  override async hold(opts: HoldOpts): ReturnType<UsageLedger["hold"]> {
    const r = await super.hold(opts);
    // A hold is a reservation that may be given back: only a refusal (nothing left) is reported.
    if (r.granted === 0 && opts.want > 0) {
      const use = this.#use(opts.ctx, opts.limitId, r.usedBefore);
      if (use) this.#signals.emit("limitHit", { ...use, requested: opts.want, outcome: "refused" });
    }
    return r;
  }

  override async ingest(batch: UsageIngestBatch): ReturnType<UsageLedger["ingest"]> {
    const r = await super.ingest(batch);
    this.#signals.emit("ingested", r);
    if (r.accepted > 0 && (this.#signals.wanted("limitUse") || this.#signals.wanted("limitHit"))) {
      this.#signals.track(this.#afterIngest(batch));
    }
    return r;
  }

  /** Reads the token counter of each subject the batch counted for. */
  async #afterIngest(batch: UsageIngestBatch): Promise<void> {
    const seen = new Set<string>();
    for (const e of batch.events) {
      if (e.kind === "chat.usage_summary" && e.run_id) continue;
      const ctx = await this.#deps.resolve(e.user_id);
      const key = `${ctx.subject.scope}:${ctx.subject.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const use = this.#use(ctx, TOKENS_MONTHLY, await this.used(ctx, TOKENS_MONTHLY));
      if (!use) continue;
      this.#signals.emit("limitUse", use);
      if (use.used > use.limit) this.#signals.emit("limitHit", { ...use, requested: 0, outcome: "allowed" });
    }
  }

  /** The use of a bounded, counted limit (undefined: unlimited, undefined or per-run). */
  #use(ctx: LimitContext, limitId: string, used: number): LimitUse | undefined {
    const limit = ctx.evaluator.getLimit(limitId);
    if (limit === undefined || limit < 0) return undefined;
    const key = this.counterFor(ctx, limitId, this.#deps.clock.now());
    if (!key) return undefined;
    return {
      subject: ctx.subject,
      limitId,
      limit,
      used,
      enforcement: ctx.evaluator.enforcementFor(limitId),
      window: key.window,
    };
  }
}
