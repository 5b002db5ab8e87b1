import {
  type Anomaly,
  type AnomalyDetector,
  anomalyRecord,
  CapabilityEnforcer,
  capabilityCheckRecord,
  isEntitlementsError,
  limitCheckRecord,
  silentLogger,
} from "@mozaiks/entitlements-core";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuthenticatedUser } from "../auth/types.js";
import type { Reservation, UsageLedger } from "../usage/ledger.js";
import type { EntitlementState, ResolvedEntitlements } from "./state.js";

/** What the enforcement helpers need (reusable by any control-layer route). */
export interface EnforcementDeps {
  state: EntitlementState;
  ledger: UsageLedger;
  audit: AuditLog;
  /** Anomaly patterns (rapid denials, repeated limit hits), reported as audit events. */
  anomalies?: AnomalyDetector | undefined;
}

function reportAnomalies(deps: EnforcementDeps, found: Anomaly[], requestId?: string): void {
  for (const a of found) deps.audit.record(anomalyRecord(a, { requestId }));
}

/**
 * Resolves the caller's entitlements and requires `capabilityId` through entitlements-core,
 * auditing the check. Throws `CapabilityDeniedError` (→ 403 `capability_denied`).
 *
 * @example
 * ```ts
 * const resolved = await requireCapabilityFor(deps, c.var.user, "cap.tool.report_export", c.var.requestId);
 * ```
 */
export async function requireCapabilityFor(
  deps: EnforcementDeps,
  user: Pick<AuthenticatedUser, "userId">,
  capabilityId: string,
  requestId?: string,
): Promise<ResolvedEntitlements> {
  const resolved = await deps.state.resolve(user.userId);
  if (!hasCapabilityIn(deps, resolved, user, capabilityId, requestId)) {
    new CapabilityEnforcer(resolved.evaluator, { logger: silentLogger }).require(capabilityId);
  }
  return resolved;
}

/**
 * Whether the already resolved entitlements grant `capabilityId`, audited (and denials fed to
 * the anomaly detector) exactly as {@link requireCapabilityFor}: for a caller that resolved
 * them itself and answers a denial instead of throwing (`POST /api/check`).
 */
export function hasCapabilityIn(
  deps: EnforcementDeps,
  resolved: ResolvedEntitlements,
  user: Pick<AuthenticatedUser, "userId">,
  capabilityId: string,
  requestId?: string,
): boolean {
  const allowed = resolved.evaluator.has(capabilityId);
  deps.audit.record(
    capabilityCheckRecord({ capabilityId, allowed, source: resolved.source, userId: user.userId, requestId }),
  );
  if (!allowed && deps.anomalies) {
    const subject = { appId: resolved.manifest.app_id, userId: user.userId };
    reportAnomalies(deps, deps.anomalies.recordDenial(subject, capabilityId), requestId);
  }
  return allowed;
}

/**
 * Atomically reserves `amount` units of `limitId` when the caller's manifest defines that
 * limit (undefined otherwise), auditing the check. Throws `LimitExceededError` (→ 429) under
 * `soft`/`hard` enforcement; under `warn` the reservation carries a warning. An `eventId`
 * makes it idempotent (`duplicate`: recorded before, nothing taken again).
 */
export async function reserveLimitFor(
  deps: EnforcementDeps,
  resolved: ResolvedEntitlements,
  user: Pick<AuthenticatedUser, "userId">,
  limitId: string,
  opts: { kind: string; amount?: number; requestId?: string; eventId?: string },
): Promise<(Reservation & { duplicate: boolean }) | undefined> {
  if (!(limitId in resolved.evaluator.limits)) return undefined;
  try {
    const r = await deps.ledger.reserve({
      ctx: resolved,
      limitId,
      userId: user.userId,
      amount: opts.amount ?? 1,
      kind: opts.kind,
      ...(opts.eventId !== undefined ? { eventId: opts.eventId } : {}),
    });
    deps.audit.record(
      limitCheckRecord({
        limitId,
        result: r.warning ? "warning" : "allowed",
        userId: user.userId,
        requestId: opts.requestId,
        details: { limit: r.limit ?? -1, used_before: r.usedBefore, requested: opts.amount ?? 1 },
      }),
    );
    return r;
  } catch (err) {
    if (isEntitlementsError(err) && err.code === "limit_exceeded") {
      deps.audit.record(
        limitCheckRecord({
          limitId,
          result: "denied",
          userId: user.userId,
          requestId: opts.requestId,
          details: { limit: err.limitValue, used: err.currentUsage, requested: opts.amount ?? 1 },
        }),
      );
      if (deps.anomalies) {
        const subject = { appId: resolved.manifest.app_id, userId: user.userId };
        reportAnomalies(deps, deps.anomalies.recordLimitHit(subject, limitId), opts.requestId);
      }
    }
    throw err;
  }
}
