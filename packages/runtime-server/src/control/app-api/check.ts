import { createHash } from "node:crypto";
import {
  type CheckReasonCode,
  CheckRequestSchema,
  type CheckResponse,
  ENTITLEMENT_WARNING_HEADER,
  type LimitPeriod,
} from "@mozaiks/contracts";
import {
  CapabilityEnforcer,
  isEntitlementsError,
  type LimitExceededError,
  silentLogger,
} from "@mozaiks/entitlements-core";
import { Hono } from "hono";
import { RuntimeError } from "../../errors.js";
import { userOrInternalRoutes } from "../../http/access.js";
import { readJson } from "../../http/body.js";
import { hasCapabilityIn, reserveLimitFor } from "../entitlements/enforce.js";
import type { ResolvedEntitlements } from "../entitlements/state.js";
import { resetsAt, windowOf } from "../usage/periods.js";
import { parseOrThrow } from "../validation.js";
import { type AppApiEnv, subjectUser } from "./caller.js";
import { CheckDecisions } from "./decisions.js";
import { ENTITLEMENTS_VERSION_HEADER, entitlementsVersion } from "./version.js";

type LimitCheck = {
  limit: string;
  requested: number;
  consume: boolean;
  idempotency_key?: string | undefined;
};

function isLimitExceeded(err: unknown): err is LimitExceededError {
  return isEntitlementsError(err) && err.code === "limit_exceeded";
}

/**
 * `POST /api/check` (a user's token, or the internal key with `user_id`): 200 with a decision
 * for every well-formed question. A capability check is the capability rule of every
 * capability-gated route; a limit check reads the counter, and with `consume` takes the units
 * through the same atomic reservation as `POST /api/execute` (one conditional counter update).
 * A consuming check's `idempotency_key` makes a repeat answer the first decision.
 */
export const checkRoutes = userOrInternalRoutes(({ ctx }) => {
  const decisions = new CheckDecisions(ctx.store.sql, () => ctx.clock.now().getTime());

  const limitAnswer = async (
    resolved: ResolvedEntitlements,
    userId: string,
    q: LimitCheck,
    requestId: string,
  ): Promise<CheckResponse> => {
    const ev = resolved.evaluator;
    const limit = ev.getLimit(q.limit);
    const enforcement = ev.enforcementFor(q.limit);
    // The window alone names the period and reset; the counter is read only where no
    // reservation reads it (a consuming check's reservation reports the usage it saw).
    const now = ctx.clock.now();
    const spec = ctx.ledger.periods.specFor(resolved.manifest, resolved.source, q.limit);
    const window = windowOf(spec, now);
    const period: LimitPeriod = spec.period;
    const answer = (
      allowed: boolean,
      reason: CheckReasonCode,
      used: number,
      consumed: number,
      warning?: string,
    ) => ({
      allowed,
      reason_code: reason,
      user_id: userId,
      limit: q.limit,
      limit_value: limit ?? -1,
      used,
      remaining: limit === undefined ? null : Math.max(0, limit - used),
      period,
      resets_at: resetsAt(window),
      enforcement,
      consumed,
      ...(warning !== undefined ? { warning } : {}),
    });
    const fits = (used: number) => limit === undefined || used + q.requested <= limit;
    const reasonIfAllowed = (used: number): CheckReasonCode => {
      if (limit === undefined) return "unlimited";
      if (period === "run") return "per_run";
      if (fits(used)) return "within_limit";
      return enforcement === "none" ? "not_enforced" : "exceeded_warn";
    };
    if (!q.consume) {
      const usage = await ctx.ledger.usage(resolved, q.limit, now);
      let warning: LimitExceededError | undefined;
      const enforcer = new CapabilityEnforcer(ev, {
        logger: silentLogger,
        onLimitWarning: (e) => (warning = e),
      });
      try {
        enforcer.requireWithinLimit(q.limit, usage.used, q.requested);
      } catch (err) {
        if (isLimitExceeded(err)) return answer(false, "limit_exceeded", usage.used, 0);
        throw err;
      }
      return answer(true, reasonIfAllowed(usage.used), usage.used, 0, warning?.message);
    }
    const eventId =
      q.idempotency_key === undefined
        ? undefined
        : `check:${createHash("sha256")
            .update(JSON.stringify([userId, q.idempotency_key]))
            .digest("base64url")}`;
    try {
      const r = await reserveLimitFor(ctx, resolved, { userId }, q.limit, {
        kind: "check",
        amount: q.requested,
        requestId,
        ...(eventId !== undefined ? { eventId } : {}),
      });
      // No such limit in the manifest: unlimited, and nothing to count (as for execute).
      if (!r) return answer(true, "unlimited", (await ctx.ledger.usage(resolved, q.limit, now)).used, 0);
      const consumed = r.duplicate ? 0 : q.requested;
      const used = r.duplicate ? r.usedBefore : r.usedBefore + q.requested;
      if (period === "run") return answer(true, "per_run", 0, 0);
      return answer(true, reasonIfAllowed(r.usedBefore), used, consumed, r.warning?.message);
    } catch (err) {
      if (isLimitExceeded(err)) return answer(false, "limit_exceeded", err.currentUsage, 0);
      throw err;
    }
  };

  return new Hono<AppApiEnv>().post("/api/check", async (c) => {
    const q = parseOrThrow(CheckRequestSchema, await readJson(c), "check request");
    const userId = subjectUser(c.var.caller, q.user_id);
    const requestId = c.var.requestId;
    const resolved = await ctx.state.resolve(userId);
    c.header(ENTITLEMENTS_VERSION_HEADER, entitlementsVersion(resolved));
    if ("capability" in q) {
      // Decided on the entitlements resolved above, the ones the version header names.
      const allowed = hasCapabilityIn(ctx, resolved, { userId }, q.capability, requestId);
      const body: CheckResponse = {
        allowed,
        reason_code: allowed ? "granted" : "capability_missing",
        user_id: userId,
        capability: q.capability,
        limit_value: null,
        used: null,
        remaining: null,
        period: null,
        resets_at: null,
        enforcement: null,
        consumed: 0,
      };
      return c.json(body);
    }
    const key = q.consume ? q.idempotency_key : undefined;
    let body: CheckResponse;
    if (key === undefined) {
      body = await limitAnswer(resolved, userId, q, requestId);
    } else {
      const hash = createHash("sha256")
        .update(JSON.stringify([q.limit, q.requested]))
        .digest("base64url");
      const claim = await decisions.claim(userId, key, hash);
      if (claim.kind === "conflict") {
        throw new RuntimeError(
          "idempotency_conflict",
          claim.reason === "other_request"
            ? "idempotency_key was already used for a different check (limit or requested)"
            : "a check with this idempotency_key is still in progress; retry shortly",
          { idempotency_key: key },
        );
      }
      if (claim.kind === "replay") {
        body = { ...claim.decision, replayed: true };
      } else {
        try {
          body = await limitAnswer(resolved, userId, q, requestId);
        } catch (err) {
          await decisions.release(userId, key);
          throw err;
        }
        await decisions.settle(userId, key, body);
      }
    }
    if (body.warning !== undefined) c.header(ENTITLEMENT_WARNING_HEADER, body.warning);
    return c.json(body);
  });
});
