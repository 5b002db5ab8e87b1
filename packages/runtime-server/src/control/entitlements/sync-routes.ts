import { Hono } from "hono";
import { internalRoutes } from "../../http/access.js";
import type { RuntimeHonoEnv } from "../../http/hono-env.js";
import { syncLegacySubscription } from "./legacy.js";
import { type SyncDeps, syncEntitlements } from "./sync.js";
import { readPayloadText } from "./verify.js";

/** Internal sync routes: v1.1 / manifest sync and legacy subscription sync (internal key). */
export const syncRoutes = internalRoutes(({ ctx }) => {
  const deps = (): SyncDeps => ({
    appId: ctx.config.appId,
    state: ctx.state,
    ledger: ctx.ledger,
    audit: ctx.audit,
    keys: ctx.entitlementKeys,
    clock: ctx.clock,
    logger: ctx.logger,
    syncedManifestTtlSeconds: ctx.config.syncedManifestTtlSeconds,
  });
  return new Hono<RuntimeHonoEnv>()
    .post("/api/internal/entitlement/sync", async (c) => {
      // The raw text, not a JSON.parse value: a legacy HMAC signature covers `1.0` vs `1`.
      const result = await syncEntitlements(await c.req.text(), deps(), c.var.requestId);
      c.var.log.info(
        { scope: result.scope, format: result.format, user_id: result.user_id },
        "entitlements synced",
      );
      return c.json(result);
    })
    .post("/api/internal/subscription/sync", async (c) => {
      const body = readPayloadText(await c.req.text(), "legacy subscription payload");
      const result = await syncLegacySubscription(body, ctx.catalog.current, deps(), c.var.requestId);
      c.var.log.info({ user_id: result.user_id }, "legacy subscription synced");
      return c.json(result);
    });
});
