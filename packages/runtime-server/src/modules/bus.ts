import type { DomainEvent } from "@mozaiks/contracts";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { createModuleContext, type PendingEvent, systemActor } from "./context.js";
import type { ModuleDatabase } from "./database.js";
import type { HostedModule } from "./load.js";
import type { ModuleTx } from "./store.js";

/** Retry policy of reaction deliveries. */
export interface DeliveryPolicy {
  /** Attempts before a delivery is marked dead (default 5). */
  maxAttempts: number;
  /** Wait before attempt n+1 after n failures (last value repeats). */
  retryDelaysMs: number[];
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 5,
  retryDelaysMs: [1_000, 5_000, 30_000, 120_000],
};

/** Outcome of one drain. */
export interface DrainResult {
  delivered: number;
  failed: number;
  dead: number;
}

interface DueRow {
  event_id: string;
  reaction_id: string;
  module_id: string;
  handler_method: string;
  attempts: number;
  event_type: string;
  source_module: string;
  actor_user_id: string | null;
  payload: string;
  occurred_at: string;
}

const INSERT_EVENT = `INSERT INTO module_events (event_id, event_type, module_id, actor_user_id, payload, occurred_at)
  VALUES (?, ?, ?, ?, ?, ?)`;
const INSERT_DELIVERY = `INSERT INTO module_deliveries (event_id, reaction_id, module_id, handler_method, status, next_attempt_at)
  VALUES (?, ?, ?, ?, 'pending', ?)`;
const DUE = `SELECT d.event_id, d.reaction_id, d.module_id, d.handler_method, d.attempts, e.event_type,
    e.module_id AS source_module, e.actor_user_id, e.payload, e.occurred_at
  FROM module_deliveries d JOIN module_events e ON e.event_id = d.event_id
  WHERE d.status = 'pending' AND d.next_attempt_at <= ?
  ORDER BY e.seq, d.reaction_id LIMIT 100`;
// Both updates apply only to the delivery as it was read (still pending, same attempt count):
// the one that claims it first wins, and on PostgreSQL its row lock makes another instance
// delivering the same row wait for that outcome, then find nothing left to do.
const MARK_DELIVERED = `UPDATE module_deliveries SET status = 'delivered', attempts = ?, delivered_at = ?, last_error = NULL
  WHERE event_id = ? AND reaction_id = ? AND status = 'pending' AND attempts = ?`;
const MARK_FAILED = `UPDATE module_deliveries SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?
  WHERE event_id = ? AND reaction_id = ? AND status = 'pending' AND attempts = ?`;
const INSERT_FAILURE =
  "INSERT INTO module_delivery_failures (event_id, reaction_id, attempt, error, failed_at) VALUES (?, ?, ?, ?, ?)";

/**
 * In-process event bus with a transactional outbox. `persist` runs inside the emitting
 * module's transaction: the event and one pending delivery per subscribed reaction commit (or
 * roll back) with the module's write. `drain` delivers due deliveries in event order; each
 * delivery runs the reaction handler and marks itself delivered in one transaction, so a
 * handler's writes and its own emitted events commit together. A failure rolls that back,
 * records the error, and schedules a retry (at-least-once) until `maxAttempts`, then the
 * delivery is `dead` and stays recorded. Several instances on one database share the outbox:
 * each delivery attempt is claimed by one of them.
 */
export class ModuleEventBus {
  readonly #db: ModuleDatabase;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #appId: string;
  readonly #policy: DeliveryPolicy;
  readonly #modules = new Map<string, HostedModule>();
  readonly #subscribers = new Map<
    string,
    Array<{ reaction_id: string; module_id: string; handler_method: string }>
  >();
  #running: Promise<DrainResult> | undefined;
  #again = false;
  #stopped = false;
  readonly #autoDeliver: boolean;

  constructor(deps: {
    db: ModuleDatabase;
    clock: Clock;
    logger: Logger;
    appId: string;
    policy?: Partial<DeliveryPolicy>;
    /** Deliver right after each commit (default true); when false, only `drain()` and polling do. */
    autoDeliver?: boolean;
  }) {
    this.#autoDeliver = deps.autoDeliver ?? true;
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#appId = deps.appId;
    this.#policy = { ...DEFAULT_DELIVERY_POLICY, ...deps.policy };
  }

  /** Registers the reactions of the hosted modules. */
  register(modules: HostedModule[]): void {
    for (const mod of modules) {
      this.#modules.set(mod.id, mod);
      for (const r of mod.contract.reactions.reactions) {
        const list = this.#subscribers.get(r.event_type) ?? [];
        list.push({ reaction_id: r.id, module_id: mod.id, handler_method: r.target.handler_method });
        this.#subscribers.set(r.event_type, list);
      }
    }
  }

  /** Writes events and their pending deliveries; call inside the emitting transaction. */
  async persist(tx: ModuleTx, events: PendingEvent[]): Promise<void> {
    for (const e of events) {
      const payload = JSON.stringify(e.payload);
      await tx.run(INSERT_EVENT, [
        e.event_id,
        e.event_type,
        e.module_id,
        e.actor_user_id,
        payload,
        e.occurred_at,
      ]);
      for (const s of this.#subscribers.get(e.event_type) ?? []) {
        await tx.run(INSERT_DELIVERY, [
          e.event_id,
          s.reaction_id,
          s.module_id,
          s.handler_method,
          e.occurred_at,
        ]);
      }
    }
  }

  /** Starts a drain soon (after the current request's commit); coalesces with a running one. */
  kick(): void {
    if (this.#stopped || !this.#autoDeliver) return;
    this.#poke();
  }

  /** Schedules a drain regardless of `autoDeliver` (the retry poller). */
  #poke(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    setImmediate(() => {
      this.drain().catch((err: unknown) => this.#logger.error({ err }, "module event drain failed"));
    });
  }

  /**
   * Delivers every due delivery, including those created by reactions along the way; resolves
   * when nothing is due. Concurrent calls share one run; a kick during a run starts another.
   */
  drain(): Promise<DrainResult> {
    if (this.#running) return this.#running;
    this.#again = false;
    this.#running = this.#drainLoop().finally(() => {
      this.#running = undefined;
      if (this.#again) this.#poke();
    });
    return this.#running;
  }

  async #drainLoop(): Promise<DrainResult> {
    const total: DrainResult = { delivered: 0, failed: 0, dead: 0 };
    // Terminates: every pass either delivers a row or moves it forward in attempts/time (here
    // or, when another instance claimed it, there), and reaction cycles are refused when the
    // modules are loaded.
    for (;;) {
      const rows = await this.#db.sql.all<DueRow>(DUE, [this.#clock.now().toISOString()]);
      if (rows.length === 0) return total;
      for (const row of rows) {
        const outcome = await this.#deliver(row);
        if (outcome) total[outcome]++;
      }
      // Let requests run between batches; a drain never monopolizes the event loop.
      await new Promise((r) => setImmediate(r));
    }
  }

  /** One delivery attempt; undefined when another instance claimed it first. */
  async #deliver(row: DueRow): Promise<keyof DrainResult | undefined> {
    const mod = this.#modules.get(row.module_id);
    const fn = mod?.reactionHandlers.get(row.handler_method);
    const attempt = row.attempts + 1;
    const now = this.#clock.now().toISOString();
    const key = [row.event_id, row.reaction_id, row.attempts];
    const event: DomainEvent = {
      event_id: row.event_id,
      event_type: row.event_type,
      module_id: row.source_module,
      occurred_at: row.occurred_at,
      actor_user_id: row.actor_user_id,
      payload: JSON.parse(row.payload) as Record<string, unknown>,
    };
    try {
      if (!mod || !fn) throw new Error(`no hosted handler ${row.module_id}.${row.handler_method}`);
      const claimed = await this.#db.transaction(`reaction ${row.reaction_id}`, async (tx) => {
        if ((await tx.run(MARK_DELIVERED, [attempt, now, ...key])).changes === 0) return false;
        const sink: PendingEvent[] = [];
        const ctx = createModuleContext(
          mod,
          systemActor(this.#appId),
          { store: tx, clock: this.#clock },
          sink,
        );
        await fn(event, ctx);
        await this.persist(tx, sink);
        return true;
      });
      return claimed ? "delivered" : undefined;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const dead = attempt >= this.#policy.maxAttempts;
      const delays = this.#policy.retryDelaysMs;
      const wait = delays[Math.min(attempt - 1, delays.length - 1)] ?? 0;
      const next = new Date(this.#clock.now().getTime() + wait).toISOString();
      const recorded = await this.#db.transaction(`delivery failure of ${row.reaction_id}`, async (tx) => {
        const status = dead ? "dead" : "pending";
        if ((await tx.run(MARK_FAILED, [status, attempt, message, next, ...key])).changes === 0) return false;
        await tx.run(INSERT_FAILURE, [row.event_id, row.reaction_id, attempt, message, now]);
        return true;
      });
      if (!recorded) return undefined;
      this.#logger.warn(
        { reaction: row.reaction_id, event_id: row.event_id, attempt, dead, err: message },
        dead ? "reaction delivery dead after max attempts" : "reaction delivery failed; will retry",
      );
      return dead ? "dead" : "failed";
    }
  }

  /** Picks up due retries and deliveries left by a previous process. */
  poll(): void {
    this.#poke();
  }

  /** Stops scheduling deliveries and waits for a running drain (shutdown). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running?.catch(() => undefined);
  }
}
