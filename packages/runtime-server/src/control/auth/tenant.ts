import { TenantIsolationValidator, type TenantResource } from "@mozaiks/entitlements-core";
import type { AuditLog } from "../audit/audit-log.js";

/**
 * The runtime's one tenant check (token claims, syncs, ingested events, bundle files):
 * entitlements-core's {@link TenantIsolationValidator}, a refusal audited in `audit` when given
 * and thrown as `403 tenant_isolation` with `expected_app_id` and `actual_app_id`.
 */
export function assertSameTenant(appId: string, audit: AuditLog | undefined, resource: TenantResource): void {
  new TenantIsolationValidator({ appId, ...(audit ? { sink: audit.sink } : {}) }).validateResource(resource);
}
