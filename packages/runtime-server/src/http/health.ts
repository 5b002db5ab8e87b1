import { RUNTIME_CONTRACT_VERSION } from "@mozaiks/contracts";
import { Hono } from "hono";
import type { RuntimeContext } from "../runtime-context.js";
import type { RuntimeHonoEnv } from "./hono-env.js";

/** `GET /health` (liveness + app data) and `GET /ready` (503 until entitlements and plugins are loaded). */
export function healthRoutes(ctx: RuntimeContext) {
  return new Hono<RuntimeHonoEnv>()
    .get("/health", (c) => {
      const tier = ctx.state.appManifest?.plan?.tier;
      return c.json({
        status: "healthy" as const,
        app_id: ctx.config.appId,
        app_tier: typeof tier === "string" ? tier : null,
        plugins_loaded: ctx.plugins.size,
        version: RUNTIME_CONTRACT_VERSION,
      });
    })
    .get("/ready", (c) => {
      const reason = ctx.readiness.reason;
      if (reason !== undefined) return c.json({ status: "not_ready" as const, reason }, 503);
      return c.json({ status: "ready" as const });
    });
}
