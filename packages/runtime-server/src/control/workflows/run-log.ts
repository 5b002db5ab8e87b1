import type { LaunchScope, RunEvent, RunStatus } from "@mozaiks/contracts";
import { and, asc, eq, gt } from "drizzle-orm";
import type { Clock } from "../../clock.js";
import type { Store } from "../../store/db.js";
import { runEvents, runs } from "../../store/schema.js";

/** A stored run (the `runs` row). */
export interface RunRecord {
  runId: string;
  appId: string;
  userId: string;
  workflowId: string;
  status: RunStatus;
}

/** A stored event; `id` orders a run's events and is the SSE event id. */
export interface StoredRunEvent {
  id: number;
  kind: string;
  payload: string;
}

/**
 * Runs and their events in SQLite, plus wake-ups for live readers: every append or status
 * change resolves the pending {@link next} promises of that run, and readers re-query from
 * their last seen id (so no event is missed or duplicated between replay and live).
 */
export class RunLog {
  readonly #waiters = new Map<string, Set<() => void>>();
  #closed = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  create(run: Omit<RunRecord, "status">, scope: LaunchScope): void {
    const now = this.clock.now().getTime();
    this.store.db
      .insert(runs)
      .values({ ...run, status: "in_progress", scope: JSON.stringify(scope), createdAt: now, updatedAt: now })
      .run();
  }

  get(runId: string): RunRecord | undefined {
    const row = this.store.db.select().from(runs).where(eq(runs.runId, runId)).get();
    if (!row) return undefined;
    const { runId: id, appId, userId, workflowId, status } = row;
    return { runId: id, appId, userId, workflowId, status: status as RunStatus };
  }

  append(runId: string, event: RunEvent): void {
    if (this.#closed) return;
    this.store.db
      .insert(runEvents)
      .values({
        runId,
        kind: event.kind,
        payload: JSON.stringify(event),
        createdAt: this.clock.now().getTime(),
      })
      .run();
    this.#wake(runId);
  }

  finish(runId: string, status: RunStatus): void {
    if (this.#closed) return;
    this.store.db
      .update(runs)
      .set({ status, updatedAt: this.clock.now().getTime() })
      .where(eq(runs.runId, runId))
      .run();
    this.#wake(runId);
  }

  /** Events of `runId` with an id above `afterId`, in order. */
  events(runId: string, afterId: number): StoredRunEvent[] {
    return this.store.db
      .select({ id: runEvents.id, kind: runEvents.kind, payload: runEvents.payload })
      .from(runEvents)
      .where(and(eq(runEvents.runId, runId), gt(runEvents.id, afterId)))
      .orderBy(asc(runEvents.id))
      .all();
  }

  /** Resolves at the next change of `runId` (or on {@link wake} / {@link close}). */
  next(runId: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((done) => {
      const set = this.#waiters.get(runId) ?? new Set<() => void>();
      set.add(done);
      this.#waiters.set(runId, set);
    });
  }

  wake(runId: string): void {
    this.#wake(runId);
  }

  #wake(runId: string): void {
    const set = this.#waiters.get(runId);
    if (!set) return;
    this.#waiters.delete(runId);
    for (const done of set) done();
  }

  /** Stops recording and releases every waiting reader. */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#waiters.keys()]) this.#wake(id);
  }
}
