import type { VerifyResult } from "../signing/verify-result.js";

/** Audit categories (docs/reference/capabilities.md#errors-and-audit). */
export const AUDIT_EVENT_TYPES = [
  "capability_check",
  "limit_check",
  "signature_verification",
  "tenant_isolation",
  "entitlement_sync",
  "anomaly_detected",
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Outcomes an audit record can carry. */
export const AUDIT_RESULTS = ["allowed", "denied", "warning", "valid", "invalid", "applied"] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/**
 * One security audit record: what was checked (`subject`: a capability id, limit id, document…),
 * its outcome, who asked, and details. The sink adds when and for which app (the runtime's
 * audit log stores it as a row of `audit_events`). Built by the functions below, so each kind
 * of record has its shape in one place.
 */
export interface AuditRecord {
  eventType: AuditEventType;
  result: AuditResult;
  userId?: string | null | undefined;
  subject?: string | null | undefined;
  requestId?: string | null | undefined;
  details?: Record<string, unknown>;
}

/** Receives audit records; must not throw (errors thrown by a sink are swallowed). */
export type AuditSink = (record: AuditRecord) => void;

/** Calls `sink` and swallows its errors: auditing must never change an access decision. */
export function emitAudit(sink: AuditSink | undefined, record: AuditRecord): void {
  if (sink === undefined) return;
  try {
    sink(record);
  } catch {
    // A broken sink must not turn an allowed check into a crash or a denial into an allow.
  }
}

/** Who asked, on every record. */
interface Asker {
  userId?: string | null | undefined;
  requestId?: string | null | undefined;
}

/**
 * A capability check: granted or not, and by the manifest from which `source`.
 *
 * @example
 * ```ts
 * sink(capabilityCheckRecord({ capabilityId: "cap.tool.x", allowed: false, source: "runtime", userId: "u1" }));
 * ```
 */
export function capabilityCheckRecord(
  check: Asker & { capabilityId: string; allowed: boolean; source: string },
): AuditRecord {
  return {
    eventType: "capability_check",
    result: check.allowed ? "allowed" : "denied",
    userId: check.userId,
    subject: check.capabilityId,
    requestId: check.requestId,
    details: { source: check.source },
  };
}

/** What a limit check saw: the limit (`-1`: unlimited) and the usage it was weighed against. */
export interface LimitCheckDetails {
  /** Absent when the check failed before the limit was weighed (e.g. a refused gauge request). */
  limit?: number | undefined;
  /** Usage the decision counted (a refusal, a launch check). */
  used?: number | undefined;
  /** Usage before a reservation that was granted. */
  used_before?: number | undefined;
  requested?: number | undefined;
  enforcement?: string | undefined;
  /** Where the check ran (e.g. `workflow_launch`). */
  phase?: string | undefined;
  /** Units held for a run. */
  held?: number | undefined;
  /** The caller's idempotency id of a gauge reservation. */
  id?: string | undefined;
}

/** A limit check: allowed, allowed with a warning (`warn` enforcement) or denied. */
export function limitCheckRecord(
  check: Asker & { limitId: string; result: "allowed" | "warning" | "denied"; details: LimitCheckDetails },
): AuditRecord {
  return {
    eventType: "limit_check",
    result: check.result,
    userId: check.userId,
    subject: check.limitId,
    requestId: check.requestId,
    details: { ...check.details },
  };
}

/**
 * The outcome of verifying a signed `document` (a file, a sync payload): `valid` with the
 * algorithm and key, or `invalid` with the reason.
 */
export function signatureRecord(document: string, result: VerifyResult, asker: Asker = {}): AuditRecord {
  return {
    eventType: "signature_verification",
    result: result.ok ? "valid" : "invalid",
    subject: document,
    requestId: asker.requestId,
    details: result.ok
      ? { alg: result.alg, kid: result.kid ?? null }
      : { reason: result.reason, message: result.message },
  };
}

/**
 * A refused cross-tenant access: `requested` is the app the attempt named, `context` more of it
 * (a path, an event id…).
 */
export function tenantIsolationRecord(
  attempt: Asker & { appId: string; requested: string; context?: Record<string, unknown> | undefined },
): AuditRecord {
  return {
    eventType: "tenant_isolation",
    result: "denied",
    userId: attempt.userId,
    subject: attempt.requested,
    requestId: attempt.requestId,
    details: { expected_app_id: attempt.appId, actual_app_id: attempt.requested, ...attempt.context },
  };
}

/**
 * A manifest sync (or the bundle's file at start) for the app or one user: `applied`, or
 * `denied` with the error code (e.g. `manifest_stale`) and its details.
 */
export function entitlementSyncRecord(
  sync: Asker & { scope: "app" | "user"; result: "applied" | "denied"; details: Record<string, unknown> },
): AuditRecord {
  return {
    eventType: "entitlement_sync",
    result: sync.result,
    userId: sync.userId,
    subject: sync.scope,
    requestId: sync.requestId,
    details: sync.details,
  };
}

/** A pattern the anomaly detector reported (see `AnomalyDetector`). */
export function anomalyRecord(
  anomaly: {
    pattern: string;
    count: number;
    windowSeconds: number | null;
    subject: { userId?: string | null | undefined };
    detail?: string | undefined;
  },
  asker: Pick<Asker, "requestId"> = {},
): AuditRecord {
  return {
    eventType: "anomaly_detected",
    result: "warning",
    userId: anomaly.subject.userId ?? null,
    subject: anomaly.pattern,
    requestId: asker.requestId,
    details: { count: anomaly.count, window_seconds: anomaly.windowSeconds, detail: anomaly.detail ?? null },
  };
}
