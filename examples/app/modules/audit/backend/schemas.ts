// Types of the list input (validated by the runtime against module.yaml) and of audit records.

export interface ListAuditInput {
  event_type?: string;
  user_id?: string;
  limit?: number;
}

export interface AuditRecord {
  id: string;
  source_event_id: string;
  event_type: string;
  source_module: string;
  subject_user_id: string | null;
  actor_user_id: string | null;
  summary: string;
  payload: Record<string, unknown>;
  occurred_at: string;
  recorded_at: string;
}

export const DEFAULT_LIST_LIMIT = 50;
/** Most records one export returns. */
export const EXPORT_MAX_LIMIT = 1000;
export const RECORD_CREATED = "domain.audit.record_created";
