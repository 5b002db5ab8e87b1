import { Hono, type MiddlewareHandler } from "hono";
import { requireCapabilityFor } from "../control/entitlements/enforce.js";
import { invalidRequest } from "../control/validation.js";
import { RuntimeError } from "../errors.js";
import { readJson } from "../http/body.js";
import type { RuntimeHonoEnv } from "../http/hono-env.js";
import type { RuntimeContext } from "../runtime-context.js";
import { isModuleRefusal, refusalToRuntimeError } from "./errors.js";
import { actorOf, serveExtension } from "./extension-routes.js";
import { EXTENSION_ROUTE_BASE } from "./extensions.js";
import type { ModuleHostState } from "./state.js";

/**
 * `GET /api/modules` lists the hosted modules and whether the caller may use each;
 * `POST /api/modules/:module/:action` authenticates (bearer JWT), requires the module's
 * capability (or the action's own) through the control layer, validates the JSON body against
 * the action's JSON Schema, then runs the action in a transaction. Runtime extensions' API
 * routers answer under `/api/ext/<module_id><prefix>` (see serveExtension).
 */
export function moduleRoutes(
  ctx: RuntimeContext,
  state: ModuleHostState,
  user: MiddlewareHandler<RuntimeHonoEnv>,
) {
  return new Hono<RuntimeHonoEnv>()
    .get("/api/modules", user, async (c) => {
      const { evaluator } = await ctx.state.resolve(c.var.user.userId);
      const modules = [...state.modules.values()].map((m) => ({
        module_id: m.id,
        capability: m.capability,
        allowed: evaluator.has(m.capability),
        actions: [...m.actions.keys()],
        api_routers: (state.routers.get(m.id) ?? []).map((r) => r.mount),
        emits: [...m.emits],
      }));
      return c.json({ modules });
    })
    .post("/api/modules/:module/:action", user, async (c) => {
      const moduleId = c.req.param("module");
      const actionName = c.req.param("action");
      const mod = state.modules.get(moduleId);
      if (!mod)
        throw new RuntimeError("module_not_found", `No module named '${moduleId}'`, { module: moduleId });
      const entry = mod.actions.get(actionName);
      if (!entry) {
        throw new RuntimeError("action_not_found", `Module '${moduleId}' has no action '${actionName}'`, {
          module: moduleId,
          action: actionName,
        });
      }
      const u = c.var.user;
      await requireCapabilityFor(ctx, u, entry.action.capability ?? mod.capability, c.var.requestId);
      const body = await readJson(c, { emptyAsObject: true });
      const parsed = entry.input.safeParse(body);
      if (!parsed.success) throw invalidRequest(parsed.error, `input of ${moduleId}.${actionName}`);
      try {
        const result = await state.invoke(mod, actionName, parsed.data, actorOf(ctx, c));
        return c.json((result ?? null) as object);
      } catch (err) {
        if (isModuleRefusal(err)) throw refusalToRuntimeError(err, { module: moduleId, action: actionName });
        throw err;
      }
    })
    .all(`${EXTENSION_ROUTE_BASE}/:module/*`, user, serveExtension(ctx, state))
    .all(`${EXTENSION_ROUTE_BASE}/:module`, user, serveExtension(ctx, state));
}
