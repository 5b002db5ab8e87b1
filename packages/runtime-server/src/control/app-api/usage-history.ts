import { Hono } from "hono";
import { internalRoutes, userRoutes } from "../../http/access.js";
import type { RuntimeContext } from "../../runtime-context.js";
import { type AppApiEnv, internalCaller, subjectUser, userCaller } from "./caller.js";
import { usageHistory } from "./history.js";

const answerFor =
  (ctx: RuntimeContext) => (c: { var: AppApiEnv["Variables"]; req: { query(): Record<string, string> } }) => {
    const query = c.req.query();
    const userId = subjectUser(c.var.caller, query.user_id);
    return usageHistory(ctx.store.sql, userId, query, ctx.clock.now().getTime());
  };

/** `GET /api/usage`: the caller's own usage buckets from the ledger, one bounded page at a time. */
export const userUsageHistoryRoutes = userRoutes(({ ctx }) => {
  const answer = answerFor(ctx);
  return new Hono<AppApiEnv>().get("/api/usage", userCaller, async (c) => c.json(await answer(c)));
});

/** `GET /api/internal/usage?user_id=`: any user's usage buckets, as `GET /api/usage` answers them. */
export const internalUsageHistoryRoutes = internalRoutes(({ ctx }) => {
  const answer = answerFor(ctx);
  return new Hono<AppApiEnv>().get("/api/internal/usage", internalCaller, async (c) =>
    c.json(await answer(c)),
  );
});
