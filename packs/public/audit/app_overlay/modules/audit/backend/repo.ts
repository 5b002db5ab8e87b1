import type { ModuleStore } from "@mozaiks/contracts";
import type { AuditRecord } from "./schemas.js";

// SQL lives here only, in the dialect SQLite and PostgreSQL share; every call is awaited (it
// runs in the handler's transaction).

interface AuditRow extends Omit<AuditRecord, "payload"> {
  payload: string;
}

const toRecord = (r: AuditRow): AuditRecord => ({
  ...r,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
});

/** Appends a record; resolves false when the source event was already recorded (redelivery). */
export async function appendRecord(store: ModuleStore, r: AuditRecord): Promise<boolean> {
  const { changes } = await store.run(
    `INSERT INTO audit_records (id, source_event_id, event_type, source_module, subject_user_id, actor_user_id,
       summary, payload, occurred_at, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source_event_id) DO NOTHING`,
    [
      r.id,
      r.source_event_id,
      r.event_type,
      r.source_module,
      r.subject_user_id,
      r.actor_user_id,
      r.summary,
      JSON.stringify(r.payload),
      r.occurred_at,
      r.recorded_at,
    ],
  );
  return changes === 1;
}

export async function listRecords(
  store: ModuleStore,
  filter: { subjectUserId?: string; eventType?: string; limit: number },
): Promise<AuditRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.subjectUserId !== undefined) {
    where.push("subject_user_id = ?");
    params.push(filter.subjectUserId);
  }
  if (filter.eventType !== undefined) {
    where.push("event_type = ?");
    params.push(filter.eventType);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const rows = await store.all<AuditRow>(
    `SELECT * FROM audit_records ${clause} ORDER BY occurred_at DESC, id DESC LIMIT ?`,
    [...params, filter.limit],
  );
  return rows.map(toRecord);
}
