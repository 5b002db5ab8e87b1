import type { DomainEvent, ModuleContext } from "@mozaiks/contracts";
import { listScope } from "./policy.js";
import * as repo from "./repo.js";
import { type AuditRecord, DEFAULT_LIST_LIMIT, type ListAuditInput, RECORD_CREATED } from "./schemas.js";

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function summarize(event: DomainEvent): string {
  const p = event.payload;
  switch (event.event_type) {
    case "domain.notifications.notification_created":
      return `notification ${str(p.notification_id)} "${str(p.title) ?? ""}" created for ${str(p.user_id)} by ${str(p.created_by)}`;
    case "domain.notifications.notification_read":
      return `notification ${str(p.notification_id)} read by ${str(p.user_id)}`;
    default:
      return `${event.event_type} from ${event.module_id}`;
  }
}

/**
 * Appends one audit record per committed event. Deliveries are at-least-once, so a repeated
 * event id is ignored and record_created is emitted only for the first delivery.
 */
export function recordEvent(
  ctx: ModuleContext,
  event: DomainEvent,
): Promise<{ recorded: boolean; record_id?: string }> {
  const record: AuditRecord = {
    id: ctx.newId(),
    source_event_id: event.event_id,
    event_type: event.event_type,
    source_module: event.module_id,
    subject_user_id: str(event.payload.user_id),
    actor_user_id: event.actor_user_id,
    summary: summarize(event),
    payload: event.payload,
    occurred_at: event.occurred_at,
    recorded_at: ctx.now().toISOString(),
  };
  return append(ctx, record);
}

/** Appends a record and announces it with record_created, unless its source was recorded already. */
async function append(
  ctx: ModuleContext,
  record: AuditRecord,
): Promise<{ recorded: boolean; record_id?: string }> {
  if (!(await repo.appendRecord(ctx.store, record))) return { recorded: false };
  ctx.emit(RECORD_CREATED, {
    record_id: record.id,
    source_event_id: record.source_event_id,
    source_event_type: record.event_type,
    subject_user_id: record.subject_user_id,
  });
  return { recorded: true, record_id: record.id };
}

/**
 * Appends a record of the runtime starting or stopping (the lifecycle startup service). It is
 * about no user, so only superadmins see it; its source id is fresh, as each start is a fact.
 */
export function recordLifecycle(
  ctx: ModuleContext,
  eventType: "runtime.started" | "runtime.stopped",
  appId: string,
): Promise<{ recorded: boolean; record_id?: string }> {
  const at = ctx.now().toISOString();
  return append(ctx, {
    id: ctx.newId(),
    source_event_id: `runtime:${ctx.newId()}`,
    event_type: eventType,
    source_module: "runtime",
    subject_user_id: null,
    actor_user_id: null,
    summary: `runtime ${eventType === "runtime.started" ? "started" : "stopped"} for app ${appId}`,
    payload: { app_id: appId },
    occurred_at: at,
    recorded_at: at,
  });
}

export async function listVisible(
  ctx: ModuleContext,
  input: ListAuditInput,
): Promise<{ records: AuditRecord[] }> {
  const subject = listScope(ctx.actor, input.user_id);
  const records = await repo.listRecords(ctx.store, {
    ...(subject !== undefined ? { subjectUserId: subject } : {}),
    ...(input.event_type !== undefined ? { eventType: input.event_type } : {}),
    limit: input.limit ?? DEFAULT_LIST_LIMIT,
  });
  return { records };
}
