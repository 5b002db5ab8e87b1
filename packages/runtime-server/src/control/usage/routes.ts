import {
  UsageGaugeRequestSchema,
  type UsageGaugeResponse,
  UsageIngestBatchSchema,
  type UsageIngestResponse,
} from "@mozaiks/contracts";
import { type LimitCheckDetails, limitCheckRecord } from "@mozaiks/entitlements-core";
import { Hono } from "hono";
import { RuntimeError } from "../../errors.js";
import { internalRoutes } from "../../http/access.js";
import { readJson } from "../../http/body.js";
import type { RuntimeHonoEnv } from "../../http/hono-env.js";
import type { RuntimeContext } from "../../runtime-context.js";
import { assertSameTenant } from "../auth/tenant.js";
import { parseOrThrow } from "../validation.js";

/** Ledger `user_id` of units an app's backend takes for the app itself (no user named). */
export const APP_ACTOR = "(app)";

/**
 * `POST /api/usage/ingest` (internal key): a batch is validated whole, tenant-checked (any
 * event for another app rejects the batch), then written in one transaction; replayed
 * `event_id`s are reported as `duplicates` and never counted twice.
 *
 * `POST /api/internal/usage/reserve` / `release` (internal key): an app's backend takes or
 * gives back units of one limit, idempotent by `id`. Release is for gauges (period `none`,
 * e.g. seats) and never takes usage below 0; a periodic limit answers 409 `limit_not_releasable`.
 */
export const usageRoutes = internalRoutes(({ ctx }) => {
  const gauge = async (body: unknown, what: "reserve" | "release") => {
    const req = parseOrThrow(UsageGaugeRequestSchema, body, `usage ${what} request`);
    const resolved = await ctx.state.resolve(req.user_id ?? undefined);
    const { period } = await ctx.ledger.usage(resolved, req.limit_id);
    if (period.period === "run") {
      throw new RuntimeError(
        "invalid_request",
        `${req.limit_id} counts per workflow run: nothing to ${what}`,
        {
          issues: [{ path: ["limit_id"], message: "a per-run limit is not counted", code: "custom" }],
        },
      );
    }
    return { req, resolved, period };
  };
  const answer = (
    req: { id: string; limit_id: string },
    resolved: Awaited<ReturnType<RuntimeContext["state"]["resolve"]>>,
    r: { delta: number; used: number; duplicate: boolean },
  ): UsageGaugeResponse => {
    const limit = resolved.evaluator.getLimit(req.limit_id);
    return {
      id: req.id,
      limit_id: req.limit_id,
      subject: resolved.subject,
      delta: r.delta,
      used: r.used,
      limit: limit ?? -1,
      remaining: limit === undefined ? null : Math.max(0, limit - r.used),
      duplicate: r.duplicate,
    };
  };

  return new Hono<RuntimeHonoEnv>()
    .post("/api/usage/ingest", async (c) => {
      const batch = parseOrThrow(UsageIngestBatchSchema, await readJson(c), "usage ingest batch");
      for (const e of batch.events) {
        assertSameTenant(ctx.config.appId, ctx.audit, {
          resourceAppId: e.app_id,
          message: `event ${e.event_id} is for app '${e.app_id}', this runtime serves '${ctx.config.appId}'`,
          requestId: c.var.requestId,
          context: { event_id: e.event_id },
        });
      }
      const { accepted, duplicates } = await ctx.ledger.ingest(batch);
      const body: UsageIngestResponse = { batch_id: batch.batch_id, accepted, duplicates };
      return c.json(body);
    })
    .post("/api/internal/usage/reserve", async (c) => {
      const { req, resolved } = await gauge(await readJson(c), "reserve");
      const userId = req.user_id ?? APP_ACTOR;
      const audit = (result: "allowed" | "warning" | "denied", details: LimitCheckDetails) =>
        ctx.audit.record(
          limitCheckRecord({
            userId,
            limitId: req.limit_id,
            requestId: c.var.requestId,
            result,
            details: { ...details, requested: req.amount, id: req.id },
          }),
        );
      let r: Awaited<ReturnType<RuntimeContext["ledger"]["reserve"]>>;
      try {
        r = await ctx.ledger.reserve({
          ctx: resolved,
          limitId: req.limit_id,
          userId,
          amount: req.amount,
          kind: "gauge_reserve",
          eventId: `reserve:${req.id}`,
        });
      } catch (err) {
        audit("denied", {});
        throw err;
      }
      audit(r.warning ? "warning" : "allowed", { limit: r.limit ?? -1, used_before: r.usedBefore });
      const delta = r.duplicate ? 0 : req.amount;
      return c.json(answer(req, resolved, { delta, used: r.usedBefore + delta, duplicate: r.duplicate }));
    })
    .post("/api/internal/usage/release", async (c) => {
      const { req, resolved, period } = await gauge(await readJson(c), "release");
      if (period.period !== "none") {
        throw new RuntimeError(
          "limit_not_releasable",
          `${req.limit_id} counts per ${period.period} window and resets by itself; only gauges (period none) can be released`,
          { limit_id: req.limit_id, period: period.period },
        );
      }
      const r = await ctx.ledger.release({
        ctx: resolved,
        limitId: req.limit_id,
        userId: req.user_id ?? APP_ACTOR,
        amount: req.amount,
        eventId: `release:${req.id}`,
      });
      return c.json(answer(req, resolved, r));
    });
});
