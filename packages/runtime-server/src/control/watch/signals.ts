import type { EnforcementMode, EntitlementManifest } from "@mozaiks/contracts";
import type { UsageSubject } from "../usage/counters.js";
import type { UsageWindow } from "../usage/periods.js";

/** A limit's counted usage right after units were taken (a reservation or ingest). */
export interface LimitUse {
  subject: UsageSubject;
  limitId: string;
  limit: number;
  used: number;
  enforcement: EnforcementMode;
  window: UsageWindow;
}

/** Units asked for past a limit: refused (soft/hard) or let through (warn/none, ingest). */
export interface LimitHit extends LimitUse {
  requested: number;
  outcome: "refused" | "allowed";
}

/** A synced manifest replaced the one in force for its subject. */
export interface ManifestReplaced {
  subject: UsageSubject;
  source: string;
  previous: EntitlementManifest | undefined;
  current: EntitlementManifest;
}

/** Every signal the watched control services emit, by name. */
export interface SignalMap {
  limitUse: LimitUse;
  limitHit: LimitHit;
  ingested: { accepted: number; duplicates: number };
  manifestReplaced: ManifestReplaced;
}

type Listener<T> = (value: T) => void | Promise<void>;

/**
 * What the control layer's watched services (usage ledger, entitlement state) report, for
 * metrics and webhooks to observe without those services knowing either. A listener never
 * delays or fails the request that caused the signal: it runs after, and its errors are logged.
 */
export class ControlSignals {
  readonly #listeners = new Map<keyof SignalMap, Array<{ fn: Listener<never>; active?: () => boolean }>>();
  readonly #pending = new Set<Promise<unknown>>();

  constructor(private readonly logger: { error(obj: object, msg: string): void }) {}

  /** Listens to `name`; `active` (default always) says whether the listener wants it now. */
  on<K extends keyof SignalMap>(name: K, fn: Listener<SignalMap[K]>, active?: () => boolean): void {
    const list = this.#listeners.get(name) ?? [];
    list.push({ fn: fn as Listener<never>, ...(active ? { active } : {}) });
    this.#listeners.set(name, list);
  }

  /** True when a listener wants `name` now (lets an emitter skip reads only they need). */
  wanted(name: keyof SignalMap): boolean {
    return (this.#listeners.get(name) ?? []).some((l) => l.active?.() ?? true);
  }

  emit<K extends keyof SignalMap>(name: K, value: SignalMap[K]): void {
    for (const l of this.#listeners.get(name) ?? []) {
      if (l.active && !l.active()) continue;
      this.track(
        (async () => {
          await (l.fn as Listener<SignalMap[K]>)(value);
        })(),
      );
    }
  }

  /** Keeps `work` (started by an emitter or a listener) until it settles, logging a failure. */
  track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) => this.logger.error({ err }, "signal listener failed"));
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Resolves once every listener started so far (and what they started) has settled. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
