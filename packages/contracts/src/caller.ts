import type { PluginContext } from "./runtime-api.js";

/** What a caller's verified claims say about them; what they leave out is not granted. */
export interface CallerClaims {
  userId: string;
  username?: string | null;
  roles?: string[];
  isSuperadmin?: boolean;
}

/**
 * Who a call runs for, as a plugin's `_context` and a module's `actor` carry it: built by the
 * runtime from verified claims, never from the request.
 *
 * @example
 * ```ts
 * callerContext({ userId: "u1", roles: ["admin"] }, "example-app");
 * // { app_id: "example-app", user_id: "u1", username: null, roles: ["admin"], is_superadmin: false }
 * ```
 */
export function callerContext(claims: CallerClaims, appId: string): PluginContext {
  return {
    app_id: appId,
    user_id: claims.userId,
    username: claims.username ?? null,
    roles: claims.roles ?? [],
    is_superadmin: claims.isSuperadmin === true,
  };
}
