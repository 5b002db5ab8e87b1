import { AUDIT_EVENT_TYPES, AUDIT_RESULTS } from "@mozaiks/entitlements-core";
import type { AuditEventType, AuditRecord } from "../../control/audit/audit-log.js";
import type { RuntimeContext } from "../../runtime-context.js";

/** Audit categories and results offered as filters: entitlements-core's lists (docs/reference/capabilities.md#errors-and-audit). */
export const AUDIT_TYPES = AUDIT_EVENT_TYPES;
export { AUDIT_RESULTS };

/** Filters of the audit page, from its query string; unknown values are dropped. */
export interface AuditFilter {
  type?: AuditEventType | undefined;
  result?: AuditRecord["result"] | undefined;
  userId?: string | undefined;
  /** Substring of the subject (capability id, limit id, source…). */
  subject?: string | undefined;
  anomaliesOnly: boolean;
  /** Show rows with an id below this one (the next page). */
  before?: number | undefined;
}

/** One row of `audit_events`. */
export interface AuditRow {
  id: number;
  createdAt: number;
  eventType: string;
  result: string;
  userId: string | null;
  subject: string | null;
  requestId: string | null;
  details: string;
  anomaly: boolean;
}

/** Rows per page. */
export const AUDIT_PAGE = 100;

const text = (v: string | undefined, max = 200) => {
  const s = v?.trim();
  return s ? s.slice(0, max) : undefined;
};

/** Reads the filter from query parameters (`type`, `result`, `user_id`, `subject`, `anomalies`, `before`). */
export function auditFilter(q: Record<string, string | undefined>): AuditFilter {
  const before = Number(q.before);
  return {
    type: AUDIT_TYPES.find((t) => t === q.type),
    result: AUDIT_RESULTS.find((r) => r === q.result),
    userId: text(q.user_id),
    subject: text(q.subject),
    anomaliesOnly: q.anomalies === "1" || q.anomalies === "on",
    before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
  };
}

/**
 * The newest audit records of this app matching `filter` (at most {@link AUDIT_PAGE}). Buffered
 * records are written first, so a denial a moment ago is on the page.
 */
export async function readAudit(ctx: RuntimeContext, filter: AuditFilter): Promise<AuditRow[]> {
  await ctx.audit.flush();
  const where = ["app_id = ?"];
  const params: unknown[] = [ctx.config.appId];
  const add = (clause: string, value: unknown) => {
    where.push(clause);
    params.push(value);
  };
  const type = filter.anomaliesOnly ? "anomaly_detected" : filter.type;
  if (type) add("event_type = ?", type);
  if (filter.result) add("result = ?", filter.result);
  if (filter.userId) add("user_id = ?", filter.userId);
  // A plain substring match: LIKE wildcards typed in the filter match themselves.
  if (filter.subject)
    add("subject LIKE ? ESCAPE '\\'", `%${filter.subject.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  if (filter.before) add("id < ?", filter.before);
  const rows = await ctx.store.sql.all<{
    id: number | string;
    created_at: number | string;
    event_type: string;
    result: string;
    user_id: string | null;
    subject: string | null;
    request_id: string | null;
    details: string;
  }>(
    `SELECT id, created_at, event_type, result, user_id, subject, request_id, details FROM audit_events WHERE ${where.join(" AND ")} ORDER BY id DESC LIMIT ${AUDIT_PAGE}`,
    params,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    createdAt: Number(r.created_at),
    eventType: r.event_type,
    result: r.result,
    userId: r.user_id,
    subject: r.subject,
    requestId: r.request_id,
    details: r.details,
    anomaly: r.event_type === "anomaly_detected",
  }));
}
