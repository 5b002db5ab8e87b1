import { INTERNAL_API_KEY_HEADER } from "@mozaiks/contracts";
import type { Context, MiddlewareHandler } from "hono";
import { RuntimeError } from "../../errors.js";
import type { RuntimeHonoEnv } from "../../http/hono-env.js";
import type { AuthenticatedUser } from "../auth/types.js";

/** Who called an app-facing route: a user with their token, or the app's backend with the internal key. */
export type AppApiCaller = { kind: "user"; user: AuthenticatedUser } | { kind: "internal" };

/** The hono environment of the app-facing routes: the runtime's plus the caller. */
export interface AppApiEnv {
  Variables: RuntimeHonoEnv["Variables"] & { caller: AppApiCaller };
}

/**
 * A user's bearer token, or the internal key (the app's backend asking on a user's behalf).
 * A request that carries `X-Internal-API-Key` is judged by the key alone (a wrong key is 401,
 * never a fallback to the token), so a backend's misconfiguration is never silently a user call.
 */
export function userOrInternal(
  user: MiddlewareHandler<RuntimeHonoEnv>,
  internal: MiddlewareHandler<RuntimeHonoEnv>,
): MiddlewareHandler<AppApiEnv> {
  return async (c, next) => {
    const viaKey = c.req.header(INTERNAL_API_KEY_HEADER) !== undefined;
    const mw = viaKey ? internal : user;
    await mw(c as unknown as Context<RuntimeHonoEnv>, async () => {
      c.set("caller", viaKey ? { kind: "internal" } : { kind: "user", user: c.var.user });
      await next();
    });
  };
}

/** Marks a token-only route's caller (after `requireUser`). */
export const userCaller: MiddlewareHandler<AppApiEnv> = async (c, next) => {
  c.set("caller", { kind: "user", user: c.var.user });
  await next();
};

/** Marks an internal-key route's caller (after `requireInternalKey`). */
export const internalCaller: MiddlewareHandler<AppApiEnv> = async (c, next) => {
  c.set("caller", { kind: "internal" });
  await next();
};

/**
 * The user a call is about. With a token it is the caller: naming anyone else is
 * `403 user_mismatch`. With the internal key `named` is used; when it is absent, `fallback`
 * decides (undefined: `user_id` is required, a 400).
 */
export function subjectUser(
  caller: AppApiCaller,
  named: string | undefined,
  opts: { fallback?: string; field?: string } = {},
): string {
  const field = opts.field ?? "user_id";
  if (caller.kind === "user") {
    if (named !== undefined && named !== caller.user.userId) {
      throw new RuntimeError("user_mismatch", `a user token may only name its own user in ${field}`, {
        user_id: named,
      });
    }
    return caller.user.userId;
  }
  if (named !== undefined) return named;
  if (opts.fallback !== undefined) return opts.fallback;
  throw new RuntimeError("invalid_request", `${field} is required with the internal key`, {
    issues: [{ path: [field], message: "required with X-Internal-API-Key", code: "invalid_type" }],
  });
}
