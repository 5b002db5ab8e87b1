import type { EnforcementMode } from "@mozaiks/contracts";
import {
  CapabilityEnforcer,
  isEntitlementsError,
  type LimitExceededError,
  silentLogger,
} from "@mozaiks/entitlements-core";
import type { AuthenticatedUser } from "../auth/types.js";
import type { EnforcementDeps } from "../entitlements/enforce.js";
import type { ResolvedEntitlements } from "../entitlements/state.js";
import { TOKENS_MONTHLY } from "../usage/ledger.js";

/** What the token budget contributes to a launch scope. */
export interface TokenBudget {
  /** Remaining tokens under `hard` enforcement; null otherwise (or when unlimited). */
  allowance: number | null;
  enforcement: EnforcementMode;
  /** Set when exhausted under `warn` (the launch is allowed). */
  warning: LimitExceededError | undefined;
}

/**
 * Applies `cap.limit.tokens_monthly` at launch (docs/reference/capabilities.md#enforcement-modes):
 * exhausted under `soft`/`hard` → `LimitExceededError` (429); `warn` → allowed with a warning;
 * `hard` → the remaining tokens become the run's `token_allowance`. Nothing is reserved: the
 * run's usage events count later.
 */
export function tokenBudgetFor(
  deps: EnforcementDeps,
  resolved: ResolvedEntitlements,
  user: AuthenticatedUser,
  requestId?: string,
): TokenBudget {
  const ev = resolved.evaluator;
  const enforcement = ev.enforcementFor(TOKENS_MONTHLY);
  const limit = ev.getLimit(TOKENS_MONTHLY);
  if (limit === undefined || limit < 0) return { allowance: null, enforcement, warning: undefined };
  const used = deps.ledger.used(resolved.subject, TOKENS_MONTHLY);
  let warning: LimitExceededError | undefined;
  const enforcer = new CapabilityEnforcer(ev, {
    logger: silentLogger,
    onLimitWarning: (e) => {
      warning = e;
    },
  });
  const audit = (result: "allowed" | "warning" | "denied") =>
    deps.audit.record({
      eventType: "limit_check",
      result,
      userId: user.userId,
      subject: TOKENS_MONTHLY,
      requestId,
      details: { limit, used, enforcement, phase: "workflow_launch" },
    });
  try {
    enforcer.requireWithinLimit(TOKENS_MONTHLY, used, 1);
  } catch (err) {
    if (isEntitlementsError(err) && err.code === "limit_exceeded") audit("denied");
    throw err;
  }
  audit(warning ? "warning" : "allowed");
  const allowance = enforcement === "hard" ? Math.max(0, limit - used) : null;
  return { allowance, enforcement, warning };
}
