import { Hono } from "hono";
import type { RuntimeContext } from "../../runtime-context.js";
import { type AppApiEnv, subjectUser } from "./caller.js";
import { usageHistory } from "./history.js";

/**
 * `GET /api/usage` (the caller's own history, token) and `GET /api/internal/usage?user_id=`
 * (any user's, internal key): usage buckets from the ledger, one bounded page at a time.
 */
export function usageHistoryRoutes(ctx: RuntimeContext) {
  const answer = (c: { var: AppApiEnv["Variables"]; req: { query(): Record<string, string> } }) => {
    const query = c.req.query();
    const userId = subjectUser(c.var.caller, query.user_id);
    return usageHistory(ctx.store.sql, userId, query, ctx.clock.now().getTime());
  };
  return new Hono<AppApiEnv>()
    .get("/api/usage", async (c) => c.json(await answer(c)))
    .get("/api/internal/usage", async (c) => c.json(await answer(c)));
}
