import type { LaunchScope, RunEvent, RunStatus } from "@mozaiks/contracts";
import type { Clock } from "../../clock.js";
import type { RuntimeStore } from "../../store/open.js";

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
 * How long a live reader waits for a wake-up before it looks in the database again: runs
 * executing on another instance sharing the database only become visible that way.
 */
export const RUN_POLL_MS = 250;

/**
 * Runs and their events in the runtime database, plus wake-ups for live readers: every append
 * or status change resolves the pending {@link next} promises of that run (and {@link next}
 * resolves by itself after `pollMs`), and readers re-query from their last seen id (so no event
 * is missed or duplicated between replay and live, whichever instance runs the workflow).
 */
export class RunLog {
  readonly #waiters = new Map<string, Set<() => void>>();
  /** Per-run tail of pending writes: a run's events are stored in the order they were emitted. */
  readonly #writes = new Map<string, Promise<void>>();
  #closed = false;

  constructor(
    private readonly store: RuntimeStore,
    private readonly clock: Clock,
    private readonly pollMs = RUN_POLL_MS,
    /** The instance executing the runs this log creates (`runtime_instances`). */
    private readonly instanceId: string | null = null,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  async create(run: Omit<RunRecord, "status">, scope: LaunchScope): Promise<void> {
    const now = this.clock.now().getTime();
    await this.store.sql.run(
      `INSERT INTO runs (run_id, app_id, user_id, workflow_id, status, scope, created_at, updated_at, instance_id)
       VALUES (?, ?, ?, ?, 'in_progress', ?, ?, ?, ?)`,
      [run.runId, run.appId, run.userId, run.workflowId, JSON.stringify(scope), now, now, this.instanceId],
    );
  }

  /** Runs still `in_progress` with the instance executing each (null: recorded before instances). */
  inProgress(): Promise<Array<{ runId: string; workflowId: string; instanceId: string | null }>> {
    return this.store.sql.all(
      `SELECT run_id AS "runId", workflow_id AS "workflowId", instance_id AS "instanceId"
       FROM runs WHERE status = 'in_progress'`,
    );
  }

  /**
   * Takes over an `in_progress` run of instance `from` (gone): true for exactly one of several
   * instances trying at once, which then ends the run.
   */
  async adopt(runId: string, from: string | null): Promise<boolean> {
    const { changes } = await this.store.sql.run(
      `UPDATE runs SET instance_id = ? WHERE run_id = ? AND status = 'in_progress'
       AND instance_id IS NOT DISTINCT FROM ?`,
      [this.instanceId, runId, from],
    );
    return changes === 1;
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const row = await this.store.sql.get<{
      run_id: string;
      app_id: string;
      user_id: string;
      workflow_id: string;
      status: string;
    }>("SELECT run_id, app_id, user_id, workflow_id, status FROM runs WHERE run_id = ?", [runId]);
    if (!row) return undefined;
    return {
      runId: row.run_id,
      appId: row.app_id,
      userId: row.user_id,
      workflowId: row.workflow_id,
      status: row.status as RunStatus,
    };
  }

  append(runId: string, event: RunEvent): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const createdAt = this.clock.now().getTime();
    return this.#serial(runId, () =>
      this.store.sql.run("INSERT INTO run_events (run_id, kind, payload, created_at) VALUES (?, ?, ?, ?)", [
        runId,
        event.kind,
        JSON.stringify(event),
        createdAt,
      ]),
    );
  }

  finish(runId: string, status: RunStatus): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const updatedAt = this.clock.now().getTime();
    return this.#serial(runId, () =>
      this.store.sql.run("UPDATE runs SET status = ?, updated_at = ? WHERE run_id = ?", [
        status,
        updatedAt,
        runId,
      ]),
    );
  }

  /** Runs `write` after the run's earlier writes, then wakes its readers. */
  #serial(runId: string, write: () => Promise<unknown>): Promise<void> {
    const prev = this.#writes.get(runId) ?? Promise.resolve();
    const mine = prev.then(write).then(() => this.#wake(runId));
    const tail = mine.catch(() => undefined);
    this.#writes.set(runId, tail);
    void tail.then(() => {
      if (this.#writes.get(runId) === tail) this.#writes.delete(runId);
    });
    return mine;
  }

  /** Events of `runId` with an id above `afterId`, in order. */
  events(runId: string, afterId: number): Promise<StoredRunEvent[]> {
    return this.store.sql.all<StoredRunEvent>(
      "SELECT id, kind, payload FROM run_events WHERE run_id = ? AND id > ? ORDER BY id",
      [runId, afterId],
    );
  }

  /** Resolves at the next change of `runId`, after `pollMs` at the latest, or on {@link wake} / {@link close}. */
  next(runId: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((done) => {
      const set = this.#waiters.get(runId) ?? new Set<() => void>();
      const finish = () => {
        clearTimeout(timer);
        set.delete(finish);
        done();
      };
      const timer = setTimeout(finish, this.pollMs);
      set.add(finish);
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
    for (const done of [...set]) done();
  }

  /** Waits for pending writes, stops recording and releases every waiting reader. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#writes.values()]);
    this.#closed = true;
    for (const id of [...this.#waiters.keys()]) this.#wake(id);
  }
}
