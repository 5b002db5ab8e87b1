import type { AuditRecord, AuditSink } from "@mozaiks/entitlements-core";
import type Database from "better-sqlite3";
import { getTableColumns, getTableName } from "drizzle-orm";
import type { Logger } from "pino";
import type { Clock } from "../../clock.js";
import type { RuntimeStore } from "../../store/open.js";
import { auditEvents } from "../../store/schema.js";
import type { SqlClient } from "../../store/sql.js";

// Records are entitlements-core's (built by its `…Record` functions); this log is their sink.
export type { AuditEventType, AuditRecord } from "@mozaiks/entitlements-core";

type AuditColumns = Omit<typeof auditEvents.$inferInsert, "id">;

// Column order of the inserts; `record` builds each row as its values in this order, so a flush
// binds them as they are (no object per row, no reordering).
const KEYS = [
  "createdAt",
  "eventType",
  "result",
  "appId",
  "userId",
  "subject",
  "requestId",
  "details",
] as const satisfies ReadonlyArray<keyof AuditColumns>;
type AuditRow = [number, string, string, string, string | null, string | null, string | null, string];
const TABLE_COLUMNS = getTableColumns(auditEvents);
const COLUMN_NAMES = KEYS.map((k) => `"${TABLE_COLUMNS[k].name}"`).join(", ");
const INSERT = `INSERT INTO "${getTableName(auditEvents)}" (${COLUMN_NAMES}) VALUES`;

// Rows per INSERT on PostgreSQL: 8 parameters each stays far below its 65,535-parameter bound.
const PG_BATCH = 1000;

function insertRows(sql: SqlClient, rows: AuditRow[]): Promise<unknown> {
  const tuple = `(${KEYS.map(() => "?").join(", ")})`;
  return sql.run(`${INSERT} ${rows.map(() => tuple).join(", ")}`, rows.flat());
}

/**
 * Buffers audit records in memory and writes them to `audit_events` in batches (every
 * `flushIntervalMs`, when `maxBuffer` records wait, and on `close`), so a request never waits
 * on an audit write.
 *
 * @example
 * ```ts
 * const audit = new AuditLog({ store, clock, appId: "example-app", logger });
 * audit.record({ eventType: "capability_check", result: "denied", subject: "cap.tool.report_export" });
 * await audit.close();
 * ```
 */
export class AuditLog {
  #buffer: AuditRow[] = [];
  #insert: Database.Statement | undefined;
  #scheduled = false;
  #closed = false;
  readonly #listeners: Array<(rec: AuditRecord) => void> = [];
  readonly #maxBuffer: number;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly opts: {
      store: RuntimeStore;
      clock: Clock;
      appId: string;
      logger: Logger;
      flushIntervalMs?: number;
      maxBuffer?: number;
    },
  ) {
    this.#maxBuffer = opts.maxBuffer ?? 1000;
    this.#timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 250);
    this.#timer.unref();
  }

  /** This log as an entitlements-core audit sink (e.g. of `TenantIsolationValidator`). */
  readonly sink: AuditSink = (rec) => this.record(rec);

  /** Calls `fn` with every record as it is queued (metrics, webhooks); it must not throw. */
  listen(fn: (rec: AuditRecord) => void): void {
    this.#listeners.push(fn);
  }

  /** Queues one record; the write happens later in a batch. */
  record(rec: AuditRecord): void {
    if (this.#closed) return;
    for (const fn of this.#listeners) {
      try {
        fn(rec);
      } catch (err) {
        this.opts.logger.error({ err }, "audit listener failed");
      }
    }
    this.#buffer.push([
      this.opts.clock.now().getTime(),
      rec.eventType,
      rec.result,
      this.opts.appId,
      rec.userId ?? null,
      rec.subject ?? null,
      rec.requestId ?? null,
      JSON.stringify(rec.details ?? {}),
    ]);
    // Writes are batched by time (the interval) and by size; each flush is one commit, so the
    // fsync cost is shared by every record of the batch instead of paid per request.
    if (this.#buffer.length >= this.#maxBuffer && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Records waiting to be written. */
  get pending(): number {
    return this.#buffer.length;
  }

  /** Writes every buffered record in one transaction (one multi-row INSERT on PostgreSQL). */
  async flush(): Promise<void> {
    this.#scheduled = false;
    if (this.#buffer.length === 0) return;
    const rows = this.#buffer;
    this.#buffer = [];
    try {
      const { store } = this.opts;
      if (store.dialect === "postgres") {
        for (let i = 0; i < rows.length; i += PG_BATCH)
          await insertRows(store.sql, rows.slice(i, i + PG_BATCH));
        return;
      }
      const { relaxed: sqlite } = store;
      if (!sqlite.open) return;
      // One prepared statement reused for every row: building the SQL through the query builder
      // on each flush cost more than the writes themselves under load.
      this.#insert ??= sqlite.prepare(`${INSERT} (${KEYS.map(() => "?").join(", ")})`);
      const insert = this.#insert;
      sqlite.transaction(() => {
        for (const row of rows) insert.run(row);
      })();
    } catch (err) {
      this.opts.logger.error({ err, dropped: rows.length }, "audit flush failed");
    }
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#closed = true;
    await this.flush();
  }
}
