import { createHash, timingSafeEqual } from "node:crypto";
import { INTERNAL_API_KEY_HEADER } from "@mozaiks/contracts";
import type { MiddlewareHandler } from "hono";
import { RuntimeError } from "../../errors.js";
import type { RuntimeHonoEnv } from "../../http/hono-env.js";
import type { AuditLog } from "../audit/audit-log.js";
import { assertSameTenant } from "./tenant.js";
import type { AuthenticatedUser } from "./types.js";
import type { TokenVerifier } from "./verifier.js";

/** Options of {@link requireUser}. */
export interface RequireUserOptions {
  verifier: TokenVerifier;
  appId: string;
  requiredScope?: string | undefined;
  audit: AuditLog;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Authenticates a user route: `Authorization: Bearer <jwt>` verified by {@link TokenVerifier},
 * then the required scope (403 `insufficient_scope`) and the `app_id` claim (403
 * `tenant_isolation`, audited; see {@link assertSameTenant}). Sets `c.var.user`.
 *
 * @example
 * ```ts
 * app.use("/api/plugins", requireUser({ verifier, appId, audit }));
 * ```
 */
export function requireUser(opts: RequireUserOptions): MiddlewareHandler<RuntimeHonoEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) throw new RuntimeError("unauthorized", "missing Authorization: Bearer token");
    const m = BEARER.exec(header);
    if (!m?.[1]) throw new RuntimeError("unauthorized", "Authorization header must be 'Bearer <token>'");
    const user = await opts.verifier.verify(m[1]);
    if (opts.requiredScope && !user.scopes.includes(opts.requiredScope)) {
      throw new RuntimeError("insufficient_scope", `token lacks required scope '${opts.requiredScope}'`, {
        required_scope: opts.requiredScope,
      });
    }
    assertSameTenant(opts.appId, opts.audit, {
      resourceAppId: user.appId,
      optional: user.appIdWrongType === undefined,
      ...(user.appIdWrongType === undefined ? {} : { actual: `(${user.appIdWrongType})` }),
      message: tenantMessage(user, opts.appId),
      userId: user.userId,
      requestId: c.get("requestId"),
      context: { path: c.req.path },
    });
    c.set("user", user);
    await next();
  };
}

/**
 * The refusal's message for a token not for this runtime's app: a present `app_id` must be
 * exactly `appId`; a claim of another JSON type (array, number, object, boolean, `null`) is
 * addressed to no valid app and refused the same way; only an absent claim passes unchecked.
 */
function tenantMessage(user: Pick<AuthenticatedUser, "appId" | "appIdWrongType">, appId: string): string {
  return user.appIdWrongType !== undefined
    ? `token claim 'app_id' is ${user.appIdWrongType}, not a string: this runtime serves '${appId}'`
    : `token claim 'app_id' is '${user.appId}', this runtime serves '${appId}'`;
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

/**
 * Guards internal routes with `X-Internal-API-Key`, compared in constant time (both sides are
 * hashed first so their lengths never leak). With no key configured every call is 401.
 */
export function requireInternalKey(key: string | undefined): MiddlewareHandler<RuntimeHonoEnv> {
  const expected = key === undefined ? undefined : digest(key);
  return async (c, next) => {
    if (expected === undefined) {
      throw new RuntimeError(
        "unauthorized",
        "internal API is disabled: MOZAIKS_INTERNAL_API_KEY is not configured",
      );
    }
    const given = c.req.header(INTERNAL_API_KEY_HEADER);
    if (!given || !timingSafeEqual(digest(given), expected)) {
      throw new RuntimeError("unauthorized", `missing or wrong ${INTERNAL_API_KEY_HEADER}`);
    }
    await next();
  };
}
