import { describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import type { Access } from "../../src/http/access.js";
import { API_ROUTES } from "../../src/http/routes.js";
import {
  claims,
  NOW_S,
  signHs256,
  signToken,
  strangerPrivateKey,
  unsignedToken,
  userPublicJwk,
} from "./keys.js";

/** A protected route to attack. */
export interface ProtectedRoute {
  method: "GET" | "POST" | "DELETE";
  path: string;
  body?: unknown;
}

/**
 * Request bodies that take a valid token past auth and validation to the handler (registered
 * pattern → the route to attack). A route without one is attacked at its pattern with each
 * `:param` replaced by `unknown_<param>` and no body.
 */
const ATTACK_SAMPLES: Record<string, ProtectedRoute> = {
  "POST /api/execute/:plugin_name": { method: "POST", path: "/api/execute/echo", body: { message: "hi" } },
  "POST /api/workflows/:name/runs": {
    method: "POST",
    path: "/api/workflows/basic_echo/runs",
    body: { input: { message: "hi" } },
  },
  "POST /api/check": { method: "POST", path: "/api/check", body: { capability: "cap.tool.basic" } },
  "POST /api/track": {
    method: "POST",
    path: "/api/track",
    body: { events: [{ event_id: "e1", metric: "cap.limit.plugin_calls_daily", amount: 1 }] },
  },
};

/** A registered route (method + pattern). */
export interface RegisteredRoute {
  method: string;
  path: string;
}

/**
 * The runtime's API routes by the access their group declares, read from the groups themselves
 * (`API_ROUTES`), so a new route is attacked without being listed in a test.
 */
export function apiRoutesByAccess(app: RuntimeApp): Record<Access, RegisteredRoute[]> {
  const out: Record<Access, RegisteredRoute[]> = { user: [], internal: [], "user-or-internal": [] };
  const deps = { ctx: app.runtime.ctx, workflows: app.runtime.workflows };
  for (const group of API_ROUTES) {
    for (const r of group.build(deps).routes) {
      if (r.method !== "ALL") out[group.access].push({ method: r.method, path: r.path });
    }
  }
  return out;
}

/** The concrete request that attacks `route`. */
export function attackOf(route: RegisteredRoute): ProtectedRoute {
  return (
    ATTACK_SAMPLES[`${route.method} ${route.path}`] ?? {
      method: route.method as ProtectedRoute["method"],
      path: route.path.replace(/:(\w+)/g, "unknown_$1"),
    }
  );
}

interface Case {
  name: string;
  token: () => Promise<string | undefined>;
  status: number;
  error: string;
}

const CASES: Case[] = [
  { name: "no token", token: async () => undefined, status: 401, error: "unauthorized" },
  {
    name: "a token signed by an untrusted key (bad signature)",
    token: () => signToken({}, strangerPrivateKey),
    status: 401,
    error: "invalid_token",
  },
  {
    name: "an unsigned token (alg: none)",
    token: async () => unsignedToken(),
    status: 401,
    error: "invalid_token",
  },
  {
    name: "an HS256 token keyed with the EdDSA public key (algorithm confusion)",
    token: () => signHs256({}, new TextEncoder().encode(JSON.stringify(userPublicJwk))),
    status: 401,
    error: "invalid_token",
  },
  {
    name: "an expired token",
    token: () => signToken({ iat: NOW_S - 7200, exp: NOW_S - 60 }),
    status: 401,
    error: "token_expired",
  },
  {
    name: "a token from another issuer",
    token: () => signToken({ iss: "https://evil.test" }),
    status: 401,
    error: "invalid_token",
  },
  {
    name: "a token for another audience",
    token: () => signToken({ aud: "other-service" }),
    status: 401,
    error: "invalid_token",
  },
  {
    name: "a token without the required scope",
    token: () => signToken({ scope: "profile" }),
    status: 403,
    error: "insufficient_scope",
  },
  {
    name: "a token for another tenant (app_id)",
    token: () => signToken({ app_id: "other-app" }),
    status: 403,
    error: "tenant_isolation",
  },
  {
    name: "a token whose app_id is an array (wrong type, not absent)",
    token: () => signToken({ app_id: ["example-app"] }),
    status: 403,
    error: "tenant_isolation",
  },
  {
    name: "a token whose app_id is null",
    token: () => signToken({ app_id: null }),
    status: 403,
    error: "tenant_isolation",
  },
];

/**
 * Runs every auth attack against every protected route and checks the stable error code, the
 * version header and the request id. A valid token must get past auth (anything but 401/403
 * from the auth layer).
 */
export function runSecurityCases(
  label: string,
  makeApp: () => Promise<RuntimeApp>,
  routes: ProtectedRoute[],
): void {
  describe(`security: ${label}`, () => {
    for (const route of routes) {
      for (const c of CASES) {
        it(`${route.method} ${route.path} rejects ${c.name} with ${c.status} ${c.error}`, async () => {
          const app = await makeApp();
          const token = await c.token();
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (token) headers.authorization = `Bearer ${token}`;
          const res = await app.request(route.path, {
            method: route.method,
            headers,
            ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
          });
          expect(res.status).toBe(c.status);
          const body = (await res.json()) as Record<string, unknown>;
          expect(body.error).toBe(c.error);
          expect(typeof body.request_id).toBe("string");
          expect(res.headers.get("x-mozaiks-runtime-version")).toBe("1.0.0");
          await app.runtime.close();
        });
      }
      it(`${route.method} ${route.path} lets a valid token through auth`, async () => {
        const app = await makeApp();
        const res = await app.request(route.path, {
          method: route.method,
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${await signToken(claims())}`,
          },
          ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
        });
        const body = (await res.json()) as Record<string, unknown>;
        expect([
          "unauthorized",
          "invalid_token",
          "token_expired",
          "insufficient_scope",
          "tenant_isolation",
        ]).not.toContain(body.error);
        await app.runtime.close();
      });
    }
  });
}
