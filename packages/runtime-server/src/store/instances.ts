import type { Clock } from "../clock.js";
import type { RuntimeStore } from "./open.js";

/** How often an instance records that it is alive (ms). */
export const HEARTBEAT_MS = 5_000;
/**
 * An instance whose last heartbeat is older than this is gone (ms): six missed beats, far above
 * an event-loop stall or the clock skew of NTP-synchronised hosts.
 */
export const STALE_MS = 30_000;

/**
 * This process's row in `runtime_instances`. Every instance on the database beats every
 * {@link HEARTBEAT_MS}; runs and token holds carry the id of the instance that executes them, so
 * a live instance settles the runs of instances that stopped beating, and never another live
 * instance's.
 */
export class InstanceRegistry {
  constructor(
    private readonly store: RuntimeStore,
    private readonly clock: Clock,
    readonly id: string,
  ) {}

  /** Records (or refreshes) this instance as alive now. */
  async beat(): Promise<void> {
    const now = this.clock.now().getTime();
    await this.store.sql.run(
      `INSERT INTO runtime_instances (instance_id, started_at, heartbeat_at) VALUES (?, ?, ?)
       ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
      [this.id, now, now],
    );
  }

  /** Ids of the instances that beat within {@link STALE_MS} (this one included once it beat). */
  async live(): Promise<Set<string>> {
    const since = this.clock.now().getTime() - STALE_MS;
    const rows = await this.store.sql.all<{ instance_id: string }>(
      "SELECT instance_id FROM runtime_instances WHERE heartbeat_at >= ?",
      [since],
    );
    return new Set(rows.map((r) => r.instance_id));
  }

  /** Forgets instances gone for long (their runs settled by then): keeps the table small. */
  async forgetGone(): Promise<void> {
    const before = this.clock.now().getTime() - 10 * STALE_MS;
    await this.store.sql.run("DELETE FROM runtime_instances WHERE heartbeat_at < ?", [before]);
  }

  /** Removes this instance (a clean stop): what it still owns is settled by the next sweep. */
  async remove(): Promise<void> {
    await this.store.sql.run("DELETE FROM runtime_instances WHERE instance_id = ?", [this.id]);
  }
}
