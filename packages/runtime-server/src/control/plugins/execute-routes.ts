import { callerContext, ENTITLEMENT_WARNING_HEADER, LIMIT_IDS } from "@mozaiks/contracts";
import { Hono } from "hono";
import { isPluginExecutionError } from "../../engine/plugins/index.js";
import { RuntimeError } from "../../errors.js";
import { userRoutes } from "../../http/access.js";
import { readJson } from "../../http/body.js";
import type { RuntimeHonoEnv } from "../../http/hono-env.js";
import { requireCapabilityFor, reserveLimitFor } from "../entitlements/enforce.js";

/** Daily plugin-call limit reserved per execution when the caller's manifest defines it. */
export const PLUGIN_CALLS_DAILY = LIMIT_IDS.pluginCallsDaily;

/**
 * `POST /api/execute/:plugin_name`: requires the plugin's capability, reserves one
 * `cap.limit.plugin_calls_daily` unit when that limit exists, injects `_context` and
 * `user_jwt` (overwriting client values) and runs the plugin in isolation with its timeout.
 */
export const executeRoutes = userRoutes(({ ctx }) => {
  return new Hono<RuntimeHonoEnv>().post("/api/execute/:plugin_name", async (c) => {
    const name = c.req.param("plugin_name");
    const plugin = ctx.plugins.get(name);
    if (!plugin) throw new RuntimeError("plugin_not_found", `No plugin named '${name}'`, { plugin: name });
    if (!plugin.descriptor.enabled) {
      throw new RuntimeError("plugin_not_found", `Plugin '${name}' is disabled`, { plugin: name });
    }
    const body = await readJson(c, { emptyAsObject: true });
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new RuntimeError("invalid_request", "request body must be a JSON object", {
        issues: [{ path: [], message: "expected an object", code: "invalid_type" }],
      });
    }
    const user = c.var.user;
    const requestId = c.var.requestId;
    const resolved = await requireCapabilityFor(ctx, user, plugin.capability, requestId);
    const reservation = await reserveLimitFor(ctx, resolved, user, PLUGIN_CALLS_DAILY, {
      kind: "plugin_call",
      requestId,
    });
    if (reservation?.warning) c.header(ENTITLEMENT_WARNING_HEADER, reservation.warning.message);
    const data = {
      ...(body as Record<string, unknown>),
      _context: callerContext(user, ctx.config.appId),
      user_jwt: user.token,
    };
    try {
      const result = await ctx.plugins.executor.run(plugin, data);
      return c.json(result ?? null);
    } catch (err) {
      if (isPluginExecutionError(err)) {
        c.var.log.warn({ plugin: name, code: err.code, err: err.cause }, "plugin failed");
        if (err.retryAfterSeconds !== undefined) c.header("Retry-After", String(err.retryAfterSeconds));
        throw new RuntimeError(err.code, err.message, { plugin: name }, { cause: err });
      }
      throw err;
    }
  });
});
