import { Hono, type MiddlewareHandler } from "hono";
import type { WorkflowService } from "../control/workflows/service.js";
import type { RuntimeContext } from "../runtime-context.js";
import type { RuntimeHonoEnv } from "./hono-env.js";

/**
 * Who may call a group of routes: a user's bearer token, the internal key (the app's backend or
 * the platform), or either (the app-facing API: the backend asks on a user's behalf).
 */
export type Access = "user" | "internal" | "user-or-internal";

/** What a route group is built from. */
export interface RouteDeps {
  ctx: RuntimeContext;
  workflows: WorkflowService;
}

/** A group of routes and the access its every route requires; the HTTP app mounts it behind that guard. */
export interface RouteGroup {
  readonly access: Access;
  // biome-ignore lint/suspicious/noExplicitAny: groups differ in their hono environment (app-facing routes add the caller)
  build(deps: RouteDeps): Hono<any>;
}

/** Routes behind a user's bearer token (`c.var.user` is the verified user). */
export const userRoutes = (build: RouteGroup["build"]): RouteGroup => ({ access: "user", build });

/** Routes behind the internal key (`X-Internal-API-Key`). */
export const internalRoutes = (build: RouteGroup["build"]): RouteGroup => ({ access: "internal", build });

/** Routes behind a user's token or the internal key (`c.var.caller` says which). */
export const userOrInternalRoutes = (build: RouteGroup["build"]): RouteGroup => ({
  access: "user-or-internal",
  build,
});

/**
 * Mounts `apps` behind `guard`: the guard runs before each of their routes and only for them.
 * (A sub-app's `use()` mounted at "/" would match every path of the parent, public ones too.)
 * The guard runs once per request even where two of the routes' patterns match the same path. A
 * group's own `use()` (method ALL, "/*") puts every path behind the guard: it fails closed.
 */
// biome-ignore lint/suspicious/noExplicitAny: see RouteGroup
export function behind(guard: MiddlewareHandler<any>, apps: Hono<any>[]): Hono<RuntimeHonoEnv> {
  const guarded = new WeakSet<Request>();
  const once: MiddlewareHandler<RuntimeHonoEnv> = async (c, next) => {
    if (guarded.has(c.req.raw)) return next();
    guarded.add(c.req.raw);
    return guard(c, next);
  };
  const mounted = new Hono<RuntimeHonoEnv>();
  const seen = new Set<string>();
  for (const app of apps) {
    for (const r of app.routes) {
      const key = `${r.method} ${r.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      mounted.on(r.method, r.path, once);
    }
  }
  for (const app of apps) mounted.route("/", app);
  return mounted;
}
