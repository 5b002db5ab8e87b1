import { describe, expect, it } from "vitest";
import { INTERNAL_KEY } from "./helpers/keys.js";
import { buildTestRuntime } from "./helpers/runtime.js";
import { apiRoutesByAccess, attackOf, runSecurityCases } from "./helpers/security-cases.js";

// The route lists come from the route groups (src/http/routes.ts), not from this file.
const probe = await buildTestRuntime();
const ROUTES = apiRoutesByAccess(probe.app);
await probe.app.runtime.close();

/** Paths served outside the API groups: public, or behind their own auth (tested apart). */
const MOUNTED_APART = [
  /^\/health$/,
  /^\/ready$/,
  /^\/metrics$/,
  /^\/openapi\.json$/,
  /^\/docs(\/|$)/,
  /^\/admin(\/|$)/,
];

describe("security: coverage", () => {
  it("every route the app registers is in an API group or mounted apart on purpose", async () => {
    const { app } = await buildTestRuntime();
    const grouped = new Set(Object.values(ROUTES).flatMap((rs) => rs.map((r) => `${r.method} ${r.path}`)));
    const stray = app.routes
      .filter((r) => r.method !== "ALL" && !grouped.has(`${r.method} ${r.path}`))
      .filter((r) => !MOUNTED_APART.some((re) => re.test(r.path)))
      .map((r) => `${r.method} ${r.path}`);
    expect(stray).toEqual([]);
    await app.runtime.close();
  });

  it("finds routes of every access kind", () => {
    expect(ROUTES.user.length).toBeGreaterThan(0);
    expect(ROUTES.internal.length).toBeGreaterThan(0);
    expect(ROUTES["user-or-internal"].length).toBeGreaterThan(0);
  });
});

runSecurityCases("user routes", async () => (await buildTestRuntime()).app, [
  ...ROUTES.user.map(attackOf),
  ...ROUTES["user-or-internal"].map(attackOf),
]);

const keyed = (method: string, key: string | undefined): RequestInit => ({
  method,
  headers: {
    "content-type": "application/json",
    ...(key === undefined ? {} : { "x-internal-api-key": key }),
  },
  ...(method === "GET" || method === "DELETE" ? {} : { body: JSON.stringify({ nonsense: true }) }),
});

describe("security: internal-key routes", () => {
  for (const route of [...ROUTES.internal, ...ROUTES["user-or-internal"]].map(attackOf)) {
    const { method, path } = route;
    it(`${method} ${path} rejects a missing internal key (and no token) with 401`, async () => {
      const { app } = await buildTestRuntime();
      const res = await app.request(path, keyed(method, undefined));
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe("unauthorized");
      await app.runtime.close();
    });

    it(`${method} ${path} rejects a wrong internal key with 401`, async () => {
      const { app } = await buildTestRuntime();
      const res = await app.request(path, keyed(method, `${INTERNAL_KEY}x`));
      expect(res.status).toBe(401);
      await app.runtime.close();
    });

    it(`${method} ${path} answers 401 even with a key when none is configured`, async () => {
      const { app } = await buildTestRuntime({ env: { MOZAIKS_INTERNAL_API_KEY: undefined } });
      const res = await app.request(path, keyed(method, INTERNAL_KEY));
      expect(res.status).toBe(401);
      await app.runtime.close();
    });

    it(`${method} ${path} lets the right key through auth`, async () => {
      const { app } = await buildTestRuntime();
      const res = await app.request(path, keyed(method, INTERNAL_KEY));
      expect(res.status).not.toBe(401);
      expect(res.status).not.toBe(403);
      await app.runtime.close();
    });
  }

  it("an internal route with the right key and a bad body is 400, not 401", async () => {
    const { app } = await buildTestRuntime();
    const res = await app.request("/api/usage/ingest", keyed("POST", INTERNAL_KEY));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
    await app.runtime.close();
  });
});
