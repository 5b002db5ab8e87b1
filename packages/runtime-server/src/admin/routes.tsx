/** @jsxImportSource hono/jsx */
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { entitlementsOf } from "../control/entitlements/routes.js";
import type { RuntimeHonoEnv } from "../http/hono-env.js";
import type { RuntimeContext } from "../runtime-context.js";
import { ASSETS } from "./assets.js";
import { AUDIT_PAGE, auditFilter, readAudit } from "./data/audit.js";
import { hostedInventory, manifestSummary } from "./data/overview.js";
import { deliveryFilter, readWebhooks } from "./data/webhooks.js";
import { crossSiteReason, isHttps } from "./guard.js";
import { type AdminSession, AdminSessions, secretEquals } from "./session.js";
import type { AdminSources } from "./sources.js";
import { AuditPage } from "./views/audit.js";
import type { PageContext } from "./views/layout.js";
import { ErrorPage, LoginPage } from "./views/login.js";
import { OverviewPage } from "./views/overview.js";
import { UsersPage } from "./views/users.js";
import { WebhooksPage } from "./views/webhooks.js";

/** Name of the session cookie (scoped to `/admin`). */
export const ADMIN_COOKIE = "mozaiks_admin";

/** Default lifetime of a dashboard session: a working day. */
export const DEFAULT_ADMIN_SESSION_TTL_SECONDS = 8 * 3600;

type AdminEnv = { Variables: RuntimeHonoEnv["Variables"] & { session: AdminSession } };

// Everything the pages load comes from this origin; nothing inline, nothing framed.
const CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async function html(c: Context, node: unknown, status: ContentfulStatusCode = 200): Promise<Response> {
  const body = await (node as { toString(): string | Promise<string> }).toString();
  return c.html(`<!doctype html>${body}`, status);
}

/**
 * The operator dashboard under `/admin` (docs/guides/deploy.md#dashboard): sign-in with the
 * internal API key (form POST, constant-time compare), a random session id in an HttpOnly,
 * SameSite=Strict cookie (Secure over https) held server-side with an expiry, and every POST
 * checked for a same-origin browser context plus the session's CSRF token. Pages: the manifest
 * in force and what the runtime hosts, a user lookup, the audit log, webhook deliveries.
 */
export function adminRoutes(ctx: RuntimeContext, sources: AdminSources): Hono<AdminEnv> {
  const key = ctx.config.internalApiKey;
  const ttlSeconds = ctx.config.admin?.sessionTtlSeconds ?? DEFAULT_ADMIN_SESSION_TTL_SECONDS;
  const sessions = new AdminSessions({ ttlMs: ttlSeconds * 1000, now: () => ctx.clock.now().getTime() });
  const pageOf = (csrf?: string): PageContext => ({ appId: ctx.config.appId, csrf, now: ctx.clock.now() });
  const refuse = (c: Context, status: ContentfulStatusCode, title: string, message: string) =>
    html(c, <ErrorPage page={pageOf()} title={title} message={message} />, status);

  const admin = new Hono<AdminEnv>();
  // `/admin/*` matches `/admin` itself too.
  admin.use("/admin/*", async (c, next) => {
    await next();
    c.header("Content-Security-Policy", CSP);
    c.header("X-Frame-Options", "DENY");
    c.header("X-Content-Type-Options", "nosniff");
    // `same-origin`, not `no-referrer`: under the latter a browser posts forms with `Origin: null`.
    c.header("Referrer-Policy", "same-origin");
    if (!c.req.path.startsWith("/admin/assets/")) c.header("Cache-Control", "no-store");
  });

  admin.get("/admin/assets/:name", (c) => {
    const asset = ASSETS.get(c.req.param("name"));
    if (!asset) return c.text("not found", 404);
    c.header("ETag", asset.etag);
    c.header("Cache-Control", "no-cache");
    if (c.req.header("if-none-match") === asset.etag) return c.body(null, 304);
    return c.body(asset.body, 200, { "Content-Type": asset.type });
  });

  // Every form post: refused when a browser says it comes from another site.
  admin.on("POST", "/admin/*", async (c, next) => {
    const reason = crossSiteReason(c);
    if (reason) {
      c.var.log.warn({ path: c.req.path, reason }, "admin: cross-site form post refused");
      return refuse(c, 403, "Request refused", `Refused: ${reason}.`);
    }
    await next();
  });

  admin.get("/admin/login", (c) => {
    if (sessions.get(getCookie(c, ADMIN_COOKIE))) return c.redirect("/admin", 303);
    return html(c, <LoginPage page={pageOf()} disabled={key === undefined} />);
  });

  admin.post("/admin/login", async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const given = typeof form.key === "string" ? form.key : "";
    if (key === undefined || !secretEquals(given, key)) {
      c.var.log.warn({ path: c.req.path }, "admin: sign-in refused (wrong internal API key)");
      const error = key === undefined ? undefined : "That is not this runtime's internal API key.";
      return html(c, <LoginPage page={pageOf()} error={error} disabled={key === undefined} />, 401);
    }
    const { id } = sessions.create();
    setCookie(c, ADMIN_COOKIE, id, {
      path: "/admin",
      httpOnly: true,
      sameSite: "Strict",
      secure: isHttps(c),
      maxAge: ttlSeconds,
    });
    c.var.log.info({ sessions: sessions.size }, "admin: signed in");
    return c.redirect("/admin", 303);
  });

  // Everything below needs a live session; POSTs also the session's CSRF token.
  admin.use("/admin/*", async (c, next) => {
    if (c.req.path.startsWith("/admin/assets/")) return next();
    return requireSession(c, next);
  });
  async function requireSession(c: Context<AdminEnv>, next: () => Promise<void>) {
    const session = sessions.get(getCookie(c, ADMIN_COOKIE));
    if (!session) {
      if (c.req.method === "GET" || c.req.method === "HEAD") return c.redirect("/admin/login", 303);
      return refuse(c, 403, "Signed out", "Your session ended: sign in again.");
    }
    if (c.req.method === "POST") {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const csrf = typeof form.csrf === "string" ? form.csrf : "";
      if (!secretEquals(csrf, session.csrf)) {
        c.var.log.warn({ path: c.req.path }, "admin: form without the session's CSRF token refused");
        return refuse(c, 403, "Request refused", "Refused: the form did not carry this session's token.");
      }
    }
    c.set("session", session);
    await next();
  }

  admin.post("/admin/logout", (c) => {
    sessions.delete(getCookie(c, ADMIN_COOKIE));
    deleteCookie(c, ADMIN_COOKIE, { path: "/admin", secure: isHttps(c) });
    return c.redirect("/admin/login", 303);
  });

  admin.get("/admin/", (c) => c.redirect("/admin", 301));
  admin.get("/admin", async (c) =>
    html(
      c,
      <OverviewPage
        page={pageOf(c.var.session.csrf)}
        manifest={await manifestSummary(ctx)}
        inventory={hostedInventory(ctx, sources)}
        notReady={ctx.readiness.reason}
      />,
    ),
  );

  admin.get("/admin/users", async (c) => {
    const userId = c.req.query("user_id")?.trim().slice(0, 256) || undefined;
    const ready = ctx.readiness.ready;
    const user =
      userId && ready
        ? {
            entitlements: await entitlementsOf(ctx, userId),
            subject: (await ctx.state.resolve(userId)).subject,
          }
        : undefined;
    return html(
      c,
      <UsersPage
        page={pageOf(c.var.session.csrf)}
        userId={userId}
        user={user}
        notReady={ctx.readiness.reason}
      />,
    );
  });

  admin.get("/admin/audit", async (c) => {
    const filter = auditFilter(c.req.query());
    const rows = await readAudit(ctx, filter);
    return html(
      c,
      <AuditPage page={pageOf(c.var.session.csrf)} filter={filter} rows={rows} pageSize={AUDIT_PAGE} />,
    );
  });

  admin.get("/admin/webhooks", async (c) => {
    const filter = deliveryFilter(c.req.query());
    const view = await readWebhooks(sources, filter);
    return html(c, <WebhooksPage page={pageOf(c.var.session.csrf)} view={view} filter={filter} />);
  });

  admin.all("/admin/*", (c) => refuse(c, 404, "Not found", `No dashboard page ${c.req.path}.`));
  admin.onError((err, c) => {
    c.var.log.error({ err }, "admin: page failed");
    return refuse(
      c,
      500,
      "Something went wrong",
      `The page failed (request ${c.var.requestId}); see the runtime log.`,
    );
  });
  return admin;
}
