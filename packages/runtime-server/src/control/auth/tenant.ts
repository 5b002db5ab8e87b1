import { type AuditSink, TenantIsolationValidator, type TenantResource } from "@mozaiks/entitlements-core";
import type { AuditLog } from "../audit/audit-log.js";

/** entitlements-core's tenant audit events as rows of the runtime's audit log. */
function auditSink(audit: AuditLog): AuditSink {
  return (e) => {
    if (e.event_type !== "tenant_isolation") return;
    audit.record({
      eventType: "tenant_isolation",
      result: "denied",
      userId: e.user_id,
      subject: e.requested_app_id,
      requestId: e.request_id,
      details: { expected_app_id: e.app_id, actual_app_id: e.requested_app_id, ...e.context },
    });
  };
}

/**
 * The runtime's one tenant check (token claims, syncs, ingested events, bundle files):
 * entitlements-core's {@link TenantIsolationValidator}, a refusal audited in `audit` when given
 * and thrown as `403 tenant_isolation` with `expected_app_id` and `actual_app_id`.
 */
export function assertSameTenant(appId: string, audit: AuditLog | undefined, resource: TenantResource): void {
  new TenantIsolationValidator({ appId, ...(audit ? { sink: auditSink(audit) } : {}) }).validateResource(
    resource,
  );
}
