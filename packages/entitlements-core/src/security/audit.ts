/** Audit categories (docs/reference/capabilities.md#errors-and-audit). */
export type AuditCategory =
  | "capability_check"
  | "limit_check"
  | "signature_verification"
  | "tenant_isolation"
  | "anomaly_detected";

/** Anomaly patterns the detector reports. */
export type AnomalyPattern = "rapid_denials" | "session_denials" | "repeated_limit_hits";

interface AuditBase {
  timestamp: string;
  app_id: string;
  user_id: string | null;
  session_id: string | null;
}

/** One security audit record; `event_type` discriminates the variants. */
export type AuditEvent =
  | (AuditBase & { event_type: "capability_check"; capability_id: string; result: "allowed" | "denied" })
  | (AuditBase & {
      event_type: "limit_check";
      limit_id: string;
      limit_value: number | null;
      current_usage: number;
      requested: number;
      /** Usage as a percentage of the limit (null when unlimited). */
      utilization_pct: number | null;
      enforcement: string;
      result: "allowed" | "denied";
    })
  | (AuditBase & {
      event_type: "signature_verification";
      result: "valid" | "invalid" | "unverified";
      alg?: string;
      kid?: string;
      reason?: string;
      message?: string;
    })
  | (AuditBase & {
      event_type: "tenant_isolation";
      result: "allowed" | "blocked";
      requested_app_id: string;
      resource_type?: string;
      resource_id?: string;
      request_id?: string;
      /** More of the attempt (a path, an event id…). */
      context?: Record<string, unknown>;
    })
  | (AuditBase & {
      event_type: "anomaly_detected";
      pattern: AnomalyPattern;
      count: number;
      window_seconds: number | null;
      detail?: string;
    });

/** Receives audit events; must not throw (errors thrown by a sink are swallowed). */
export type AuditSink = (event: AuditEvent) => void;

/** Calls `sink` and swallows its errors: auditing must never change an access decision. */
export function emitAudit(sink: AuditSink | undefined, event: AuditEvent): void {
  if (sink === undefined) return;
  try {
    sink(event);
  } catch {
    // A broken sink must not turn an allowed check into a crash or a denial into an allow.
  }
}

/**
 * An in-memory sink that keeps the most recent `max` events (for tests and `/api` views).
 *
 * @example
 * ```ts
 * const audit = createMemoryAuditSink();
 * new TenantIsolationValidator({ appId: "myapp", sink: audit.sink }).isSameTenant("myapp");
 * audit.events; // AuditEvent[]
 * ```
 */
export function createMemoryAuditSink(max = 1000): { sink: AuditSink; events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  return {
    events,
    sink(event) {
      events.push(event);
      if (events.length > max) events.splice(0, events.length - max);
    },
  };
}
