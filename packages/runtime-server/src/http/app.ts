import { RUNTIME_CONTRACT_VERSION, RUNTIME_VERSION_HEADER } from "@mozaiks/contracts";
import { Hono, type MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import { adminRoutes, adminSources } from "../admin/index.js";
import { userOrInternal } from "../control/app-api/index.js";
import { requireInternalKey, requireUser } from "../control/auth/middleware.js";
import { onError } from "../errors.js";
import { metricsRoutes } from "../observability/endpoint.js";
import { markUnmatched, requestMetrics } from "../observability/http.js";
import { openApiRoutes } from "../openapi/http.js";
import type { RuntimeHandle } from "../runtime.js";
import type { RuntimeContext } from "../runtime-context.js";
import { type Access, behind } from "./access.js";
import { requestBody } from "./body.js";
import { healthRoutes } from "./health.js";
import type { RuntimeHonoEnv } from "./hono-env.js";
import { jsonBodyLimits } from "./json-limits.js";
import { API_ROUTES } from "./routes.js";

/**
 * A route group added on top of the built-in ones, e.g. the pack module host. Optional
 * `start`/`close` run inside `runtime.start()` (before `/ready` turns 200) and `runtime.close()`.
 */
export type RouteExtension = ((
  ctx: RuntimeContext,
  mw: { user: ReturnType<typeof requireUser> },
) => Hono<RuntimeHonoEnv>) & {
  start?(ctx: RuntimeContext): Promise<void>;
  close?(): Promise<void>;
};

/**
 * The HTTP pipeline on top of a runtime: metrics, request id, logging and the version header,
 * body limits, `503 not_ready` for the API until the runtime is ready, the API route groups
 * behind their guards, the public and separately guarded routes, and the error answers.
 */
export function createHttpApp(
  runtime: RuntimeHandle,
  routeExtensions: RouteExtension[] = [],
): Hono<RuntimeHonoEnv> {
  const { ctx, workflows } = runtime;
  const { config, logger, metrics } = ctx;
  const user = requireUser({
    verifier: ctx.verifier,
    appId: config.appId,
    requiredScope: config.auth.requiredScope,
    audit: ctx.audit,
  });
  const internal = requireInternalKey(config.internalApiKey);

  const app = new Hono<RuntimeHonoEnv>();
  // Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then a server span per request.
  if (runtime.tracing) app.use(runtime.tracing.middleware);
  app.use(requestMetrics(metrics));
  app.use(requestId({ generator: () => crypto.randomUUID() }));
  app.use(async (c, next) => {
    const log = logger.child({ request_id: c.var.requestId });
    c.set("log", log);
    const started = performance.now();
    // Set before the handler so the header is part of the response as it is created; adding it
    // afterwards copies the response's headers. Responses built outside the context get it after.
    c.header(RUNTIME_VERSION_HEADER, RUNTIME_CONTRACT_VERSION);
    await next();
    if (!c.res.headers.has(RUNTIME_VERSION_HEADER))
      c.header(RUNTIME_VERSION_HEADER, RUNTIME_CONTRACT_VERSION);
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: +(performance.now() - started).toFixed(2),
      },
      "request",
    );
  });
  app.use(requestBody(config.maxBodyBytes));
  app.use(jsonBodyLimits(config.jsonLimits));
  // Nothing under /api is served before the bundle is loaded: answering from defaults would fail open.
  app.use("/api/*", async (_c, next) => {
    ctx.readiness.assertReady();
    await next();
  });
  // Each API route group is mounted behind the guard its file declares (see http/routes.ts).
  const guards: Record<Access, MiddlewareHandler<RuntimeHonoEnv>> = {
    user,
    internal,
    "user-or-internal": userOrInternal(user, internal) as unknown as MiddlewareHandler<RuntimeHonoEnv>,
  };
  for (const access of Object.keys(guards) as Access[]) {
    const groups = API_ROUTES.filter((g) => g.access === access).map((g) => g.build({ ctx, workflows }));
    app.route("/", behind(guards[access], groups));
  }
  app.route("/", healthRoutes(ctx));
  app.route("/", behind(internal, [metricsRoutes(metrics)]));
  app.route("/", openApiRoutes());
  for (const ext of routeExtensions) app.route("/", ext(ctx, { user }));
  if (!config.admin?.disabled) {
    const { internalApiKey } = config;
    app.route("/", adminRoutes(ctx, adminSources(app, { workflows, routeExtensions, internalApiKey })));
  }

  app.notFound((c) => {
    markUnmatched(c);
    c.header(RUNTIME_VERSION_HEADER, RUNTIME_CONTRACT_VERSION);
    return c.json(
      { error: "not_found", message: `No route ${c.req.method} ${c.req.path}`, request_id: c.var.requestId },
      404,
    );
  });
  app.onError(onError);
  return app;
}
