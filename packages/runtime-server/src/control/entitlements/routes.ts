import type { EntitlementsResponse } from "@mozaiks/contracts";
import { Hono } from "hono";
import { etag } from "hono/etag";
import { userRoutes } from "../../http/access.js";
import type { RuntimeHonoEnv } from "../../http/hono-env.js";
import type { RuntimeContext } from "../../runtime-context.js";
import { ENTITLEMENTS_VERSION_HEADER, entitlementsVersion } from "../app-api/version.js";
import { resetsAt } from "../usage/periods.js";

/**
 * `GET /api/entitlements`: the caller's effective capabilities, limits with usage (one counter
 * read each, whatever the ledger's size), how each is counted (`period`, anchors) and when it
 * resets, and the manifest source. A weak `ETag` of the answer (`If-None-Match` → 304) and
 * `X-Mozaiks-Entitlements-Version` (changes with a sync, not with usage) let clients cache.
 */
export const entitlementsRoutes = userRoutes(({ ctx }) => {
  return new Hono<RuntimeHonoEnv>().get("/api/entitlements", etag({ weak: true }), async (c) => {
    const userId = c.var.user.userId;
    c.header(ENTITLEMENTS_VERSION_HEADER, entitlementsVersion(await ctx.state.resolve(userId)));
    c.header("Cache-Control", "private, no-cache");
    return c.json(await entitlementsOf(ctx, userId));
  });
});

/** What `GET /api/entitlements` answers for `userId` (the `/admin` user lookup shows the same). */
export async function entitlementsOf(ctx: RuntimeContext, userId: string): Promise<EntitlementsResponse> {
  const resolved = await ctx.state.resolve(userId);
  const ev = resolved.evaluator;
  const now = ctx.clock.now();
  const limits: EntitlementsResponse["limits"] = {};
  for (const id of Object.keys(ev.limits)) {
    const { used, period, window } = await ctx.ledger.usage(resolved, id, now);
    const limit = ev.getLimit(id);
    limits[id] = {
      limit: limit ?? -1,
      used,
      remaining: limit === undefined ? null : Math.max(0, limit - used),
      enforcement: ev.enforcementFor(id),
      ...period,
      resets_at: resetsAt(window),
    };
  }
  const plan = resolved.manifest.plan;
  return {
    app_id: ctx.config.appId,
    user_id: userId,
    source: resolved.source,
    capabilities: [...ev.capabilities],
    limits,
    plan: plan ? { ...plan } : null,
  };
}
