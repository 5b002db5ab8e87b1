import type { EnforcementMode } from "@mozaiks/contracts";
import {
  CapabilityEnforcer,
  isEntitlementsError,
  type LimitCheckDetails,
  type LimitExceededError,
  limitCheckRecord,
  silentLogger,
} from "@mozaiks/entitlements-core";
import { DEFAULT_RUN_TOKEN_CAP } from "../../config.js";
import type { AuthenticatedUser } from "../auth/types.js";
import type { EnforcementDeps } from "../entitlements/enforce.js";
import type { ResolvedEntitlements } from "../entitlements/state.js";
import { TOKENS_MONTHLY } from "../usage/ledger.js";

/** What the token budget contributes to a launch scope. */
export interface TokenBudget {
  /** Tokens held for the run under `hard` enforcement; null otherwise (or when unlimited). */
  allowance: number | null;
  enforcement: EnforcementMode;
  /** Tokens reserved at launch (settled at the run's end); 0 when nothing was held. */
  held: number;
  /** Set when exhausted under `warn` (the launch is allowed). */
  warning: LimitExceededError | undefined;
}

/**
 * Applies `cap.limit.tokens_monthly` at launch (docs/reference/capabilities.md#enforcement-modes).
 * Under `soft` and `hard` the launch holds `min(remaining, runTokenCap)` tokens in one
 * conditional update of the counter (nothing left → `LimitExceededError`, 429); the run's usage
 * draws on the hold and its end releases the rest. `hard` makes the hold the run's
 * `token_allowance`, so concurrent runs never use more than was left; `soft` never bounds a
 * running run (the overshoot is what admitted runs use beyond their holds). `warn` → allowed
 * with a warning, `none` → allowed; neither holds anything.
 */
export async function tokenBudgetFor(
  deps: EnforcementDeps,
  resolved: ResolvedEntitlements,
  user: AuthenticatedUser,
  run: { runId: string; workflowId: string; runTokenCap?: number | undefined },
  requestId?: string,
): Promise<TokenBudget> {
  const ev = resolved.evaluator;
  const enforcement = ev.enforcementFor(TOKENS_MONTHLY);
  const limit = ev.getLimit(TOKENS_MONTHLY);
  if (limit === undefined) return { allowance: null, enforcement, held: 0, warning: undefined };
  let warning: LimitExceededError | undefined;
  const enforcer = new CapabilityEnforcer(ev, {
    logger: silentLogger,
    onLimitWarning: (e) => {
      warning = e;
    },
  });
  const audit = (result: "allowed" | "warning" | "denied", details: Omit<LimitCheckDetails, "limit">) =>
    deps.audit.record(
      limitCheckRecord({
        limitId: TOKENS_MONTHLY,
        result,
        userId: user.userId,
        requestId,
        details: { limit, enforcement, phase: "workflow_launch", ...details },
      }),
    );

  if (enforcement === "soft" || enforcement === "hard") {
    const { granted, usedBefore } = await deps.ledger.hold({
      ctx: resolved,
      limitId: TOKENS_MONTHLY,
      userId: user.userId,
      runId: run.runId,
      workflowId: run.workflowId,
      want: run.runTokenCap ?? DEFAULT_RUN_TOKEN_CAP,
      limit,
    });
    if (granted === 0) {
      audit("denied", { used: usedBefore });
      enforcer.requireWithinLimit(TOKENS_MONTHLY, Math.max(usedBefore, limit), 1);
    }
    audit("allowed", { used: usedBefore, held: granted });
    return { allowance: enforcement === "hard" ? granted : null, enforcement, held: granted, warning };
  }

  const used = await deps.ledger.used(resolved, TOKENS_MONTHLY);
  try {
    enforcer.requireWithinLimit(TOKENS_MONTHLY, used, 1);
  } catch (err) {
    if (isEntitlementsError(err) && err.code === "limit_exceeded") audit("denied", { used });
    throw err;
  }
  audit(warning ? "warning" : "allowed", { used });
  return { allowance: null, enforcement, held: 0, warning };
}
