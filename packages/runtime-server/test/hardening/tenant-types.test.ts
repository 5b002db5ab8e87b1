import { describe, expect, it } from "vitest";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, internal } from "../helpers/runtime.js";

// A validly signed token whose claims have the wrong JSON type must never be read as if the
// claim were absent: `app_id` of any other type is a tenant violation, the other claims make
// the token invalid.

const USER_ROUTES = [
  { method: "GET", path: "/api/plugins" },
  { method: "GET", path: "/api/entitlements" },
  { method: "POST", path: "/api/execute/echo", body: { message: "hi" } },
] as const;

async function call(
  app: Awaited<ReturnType<typeof buildTestRuntime>>["app"],
  route: (typeof USER_ROUTES)[number],
  token: string,
): Promise<Response> {
  return app.request(route.path, {
    method: route.method,
    headers: { ...bearer(token), "content-type": "application/json" },
    ...("body" in route ? { body: JSON.stringify(route.body) } : {}),
  });
}

describe("tenant isolation by type", () => {
  const wrongTypes: Array<[string, unknown]> = [
    ["an array", ["example-app"]],
    ["a number", 42],
    ["an object", { id: "example-app" }],
    ["a boolean", true],
    ["null", null],
  ];

  for (const [kind, value] of wrongTypes) {
    it(`answers 403 tenant_isolation (audited) on every user route for an app_id that is ${kind}`, async () => {
      const { app, store } = await buildTestRuntime();
      const token = await signToken({ app_id: value });
      for (const route of USER_ROUTES) {
        const res = await call(app, route, token);
        expect(res.status, `${route.method} ${route.path}`).toBe(403);
        const body = (await res.json()) as Record<string, unknown>;
        expect(body).toMatchObject({ error: "tenant_isolation", expected_app_id: "example-app" });
        expect(body.message).toContain("app_id");
      }
      await app.runtime.ctx.audit.flush();
      const rows = store.sqlite
        .prepare("select result, user_id from audit_events where event_type = 'tenant_isolation'")
        .all();
      expect(rows).toHaveLength(USER_ROUTES.length);
      expect(rows[0]).toEqual({ result: "denied", user_id: "user-1" });
    });
  }

  it("answers 403 for a string app_id that is not exactly this runtime's app", async () => {
    const { app } = await buildTestRuntime();
    for (const appId of ["", "EXAMPLE-APP", " example-app", "example-app\u0000"]) {
      const res = await call(app, USER_ROUTES[0], await signToken({ app_id: appId }));
      expect(res.status, JSON.stringify(appId)).toBe(403);
      expect(await res.json()).toMatchObject({ error: "tenant_isolation" });
    }
  });

  it("still accepts a token without app_id and one with the runtime's app", async () => {
    const { app } = await buildTestRuntime();
    expect((await call(app, USER_ROUTES[0], await signToken({ app_id: undefined }))).status).toBe(200);
    expect((await call(app, USER_ROUTES[0], await signToken())).status).toBe(200);
  });
});

describe("other claims are type-checked, failing closed", () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ["roles that is a string", { roles: "admin" }],
    ["roles holding a non-string", { roles: ["user", 1] }],
    ["roles that is an object", { roles: { admin: true } }],
    ["is_superadmin that is a string", { is_superadmin: "true" }],
    ["is_superadmin that is a number", { is_superadmin: 1 }],
    ["sub that is a number", { sub: 42 }],
    ["sub that is an array", { sub: ["user-1"] }],
    ["preferred_username that is an object", { preferred_username: { name: "ada" } }],
    ["username that is a number", { preferred_username: undefined, username: 7 }],
    ["scope that is a number", { scope: 1 }],
    ["scp holding a non-string", { scope: undefined, scp: ["runtime:use", 2] }],
  ];
  for (const [name, over] of cases) {
    it(`refuses a token with ${name} as 401 invalid_token naming the claim`, async () => {
      const { app } = await buildTestRuntime();
      const res = await call(app, USER_ROUTES[0], await signToken(over));
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe("invalid_token");
      const claim = Object.keys(over).find((k) => over[k] !== undefined) as string;
      expect(body.message).toContain(claim);
    });
  }

  it("accepts well-typed claims: roles array of strings, boolean is_superadmin, scope list", async () => {
    const { app } = await buildTestRuntime();
    const token = await signToken({ roles: [], is_superadmin: true, scope: undefined, scp: ["runtime:use"] });
    expect((await call(app, USER_ROUTES[0], token)).status).toBe(200);
  });
});

describe("sync payloads addressed to another app", () => {
  it("refuses a legacy payload whose app_id and appId disagree, whichever names the other app", async () => {
    const { app } = await buildTestRuntime();
    for (const ids of [
      { app_id: "example-app", appId: "other-app" },
      { app_id: "other-app", appId: "example-app" },
    ]) {
      const res = await app.request(
        "/api/internal/subscription/sync",
        internal({ userId: "user-1", plan: "pro", status: "active", ...ids }),
      );
      expect(res.status, JSON.stringify(ids)).toBe(403);
      expect(await res.json()).toMatchObject({ error: "tenant_isolation", actual_app_id: "other-app" });
    }
  });
});
