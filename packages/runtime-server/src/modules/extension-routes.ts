import { type ApiRouterRequest, callerContext, type ModuleActor } from "@mozaiks/contracts";
import type { Context } from "hono";
import { requireCapabilityFor } from "../control/entitlements/enforce.js";
import { RuntimeError } from "../errors.js";
import { readJson } from "../http/body.js";
import type { RuntimeHonoEnv } from "../http/hono-env.js";
import type { RuntimeContext } from "../runtime-context.js";
import { isModuleRefusal, refusalToRuntimeError } from "./errors.js";
import { EXTENSION_ROUTE_BASE, extensionLogger, normalizePath } from "./extensions.js";
import type { ModuleHostState } from "./state.js";

/** The caller as module code sees it: from the verified token's claims, never from the request. */
export function actorOf(ctx: RuntimeContext, c: Context<RuntimeHonoEnv>): ModuleActor {
  return callerContext(c.var.user, ctx.config.appId);
}

/**
 * Serves `/api/ext/<module_id><prefix>/…` (mounted behind user auth): the module and a router
 * whose prefix covers the path (404), the module's capability through the control layer (403
 * `capability_denied`), the `"<METHOD> <path>"` handler (404), then the handler with the
 * caller's actor. A handler's `Response` is sent as is, another value as JSON, `undefined` as
 * 204; a thrown `{ code }` refusal maps like a module action's.
 */
export function serveExtension(ctx: RuntimeContext, state: ModuleHostState) {
  return async (c: Context<RuntimeHonoEnv>): Promise<Response> => {
    const moduleId = c.req.param("module") ?? "";
    const mod = state.modules.get(moduleId);
    if (!mod)
      throw new RuntimeError("module_not_found", `No module named '${moduleId}'`, { module: moduleId });
    const base = `${EXTENSION_ROUTE_BASE}/${mod.id}`;
    const rest = normalizePath(c.req.path.slice(base.length) || "/");
    const router = (state.routers.get(mod.id) ?? []).find(
      (r) => r.prefix === "/" || rest === r.prefix || rest.startsWith(`${r.prefix}/`),
    );
    if (!router) {
      throw new RuntimeError("not_found", `Module '${mod.id}' has no API router at ${rest}`, {
        module: mod.id,
        path: c.req.path,
      });
    }
    await requireCapabilityFor(ctx, c.var.user, mod.capability, c.var.requestId);
    const sub = router.prefix === "/" ? rest : rest.slice(router.prefix.length) || "/";
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    const handler = router.routes.get(`${method} ${sub}`);
    if (!handler) {
      const allowed = [...router.routes.keys()]
        .filter((k) => k.endsWith(` ${sub}`))
        .map((k) => k.split(" ")[0]);
      throw new RuntimeError(
        "not_found",
        allowed.length > 0
          ? `${router.mount}${sub === "/" ? "" : sub} answers ${allowed.join(", ")}, not ${c.req.method}`
          : `No route ${c.req.method} ${c.req.path}`,
        { module: mod.id, path: c.req.path },
      );
    }
    const actor = actorOf(ctx, c);
    const what = `${router.entrypoint} ${method} ${sub}`;
    const req: ApiRouterRequest = {
      method,
      path: sub,
      query: new URL(c.req.url).searchParams,
      headers: c.req.raw.headers,
      actor,
      json: () => readJson(c, { emptyAsObject: true }),
      text: () => c.req.text(),
      transact: (fn) => state.transact(mod, actor, fn, `api_router ${what}`),
      log: extensionLogger(c.var.log.child({ module: mod.id, extension: router.entrypoint })),
    };
    let out: unknown;
    try {
      out = await handler(req);
    } catch (err) {
      if (isModuleRefusal(err))
        throw refusalToRuntimeError(err, { module: mod.id, action: `${method} ${sub}` });
      throw err;
    }
    if (out instanceof Response) return out;
    if (out === undefined) return c.body(null, 204);
    return c.json(out as object);
  };
}
