import type { PluginListResponse } from "@mozaiks/contracts";
import { Hono } from "hono";
import { userRoutes } from "../../http/access.js";
import type { RuntimeHonoEnv } from "../../http/hono-env.js";

/** `GET /api/plugins` and its alias `GET /api/available-plugins`: plugins + whether the caller may run each. */
export const pluginListRoutes = userRoutes(({ ctx }) => {
  const list = async (userId: string): Promise<PluginListResponse> => {
    const { evaluator } = await ctx.state.resolve(userId);
    return {
      plugins: ctx.plugins.list().map(({ descriptor: d, capability }) => ({
        name: d.name,
        display_name: d.display_name ?? d.name,
        description: d.description,
        version: d.version,
        enabled: d.enabled,
        capability,
        allowed: d.enabled && evaluator.has(capability),
      })),
    };
  };
  return new Hono<RuntimeHonoEnv>()
    .get("/api/plugins", async (c) => c.json(await list(c.var.user.userId)))
    .get("/api/available-plugins", async (c) => c.json(await list(c.var.user.userId)));
});
