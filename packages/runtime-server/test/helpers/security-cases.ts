import { describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
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
  method: "GET" | "POST";
  path: string;
  body?: unknown;
}

/**
 * Workflow routes (registered pattern → a concrete route to attack). Listed here so the
 * coverage test in `test/security.test.ts` and the workflow security tests share one list.
 */
export const WORKFLOW_USER_ROUTES: Array<{ pattern: string; route: ProtectedRoute }> = [
  {
    pattern: "POST /api/workflows/:name/runs",
    route: { method: "POST", path: "/api/workflows/basic_echo/runs", body: { input: { message: "hi" } } },
  },
  { pattern: "GET /api/runs/:run_id/events", route: { method: "GET", path: "/api/runs/run_unknown/events" } },
];

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
