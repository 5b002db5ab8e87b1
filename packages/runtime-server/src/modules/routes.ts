import type { ModuleActor } from "@mozaiks/contracts";
import { Hono, type MiddlewareHandler } from "hono";
import type { RuntimeEnv } from "../context.js";
import { requireCapabilityFor } from "../control/entitlements/enforce.js";
import { readJson } from "../control/routes/body.js";
import { invalidRequest } from "../control/validation.js";
import { RuntimeError } from "../errors.js";
import type { RuntimeContext } from "../runtime-context.js";
import { isModuleRefusal, refusalToRuntimeError } from "./errors.js";
import type { ModuleHostState } from "./state.js";

/**
 * `GET /api/modules` lists the hosted modules and whether the caller may use each;
 * `POST /api/modules/:module/:action` authenticates (bearer JWT), requires the module's
 * capability (or the action's own) through the control layer, validates the JSON body against
 * the action's JSON Schema, then runs the action in a transaction.
 */
export function moduleRoutes(
  ctx: RuntimeContext,
  state: ModuleHostState,
  user: MiddlewareHandler<RuntimeEnv>,
) {
  return new Hono<RuntimeEnv>()
    .get("/api/modules", user, async (c) => {
      const { evaluator } = await ctx.state.resolve(c.var.user.userId);
      const modules = [...state.modules.values()].map((m) => ({
        module_id: m.id,
        capability: m.capability,
        allowed: evaluator.has(m.capability),
        actions: [...m.actions.keys()],
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
      const actor: ModuleActor = {
        app_id: ctx.config.appId,
        user_id: u.userId,
        username: u.username,
        roles: u.roles,
        is_superadmin: u.isSuperadmin,
      };
      try {
        const result = state.invoke(mod, actionName, parsed.data, actor);
        return c.json((result ?? null) as object);
      } catch (err) {
        if (isModuleRefusal(err)) throw refusalToRuntimeError(err, { module: moduleId, action: actionName });
        throw err;
      }
    });
}
