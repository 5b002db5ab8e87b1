import { describe, expect, it } from "vitest";
import { INTERNAL_KEY } from "./helpers/keys.js";
import { buildTestRuntime, internal } from "./helpers/runtime.js";
import { runSecurityCases, WORKFLOW_USER_ROUTES } from "./helpers/security-cases.js";

const USER_ROUTES = [
  { method: "GET", path: "/api/plugins" },
  { method: "GET", path: "/api/available-plugins" },
  { method: "GET", path: "/api/entitlements" },
  { method: "POST", path: "/api/execute/:plugin_name" },
  { method: "GET", path: "/api/runs/:run_id/artifacts" },
  { method: "GET", path: "/api/runs/:run_id/artifacts/:name" },
  { method: "POST", path: "/api/check" },
  { method: "POST", path: "/api/track" },
  { method: "GET", path: "/api/usage" },
  ...WORKFLOW_USER_ROUTES.map((r) => {
    const [method, path] = r.pattern.split(" ");
    return { method, path };
  }),
];

describe("security: coverage", () => {
  it("attacks every user route the app registers", async () => {
    const { app } = await buildTestRuntime();
    const registered = app.routes
      .filter((r) => r.method !== "ALL" && r.path.startsWith("/api/"))
      .filter((r) => !r.path.startsWith("/api/internal/") && !r.path.startsWith("/api/usage/"))
      .map((r) => `${r.method} ${r.path}`);
    expect([...new Set(registered)].sort()).toEqual(USER_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    await app.runtime.close();
  });
});

runSecurityCases("user routes", async () => (await buildTestRuntime()).app, [
  { method: "GET", path: "/api/plugins" },
  { method: "GET", path: "/api/available-plugins" },
  { method: "GET", path: "/api/entitlements" },
  { method: "POST", path: "/api/execute/echo", body: { message: "hi" } },
  { method: "GET", path: "/api/runs/run_unknown/artifacts" },
  { method: "GET", path: "/api/runs/run_unknown/artifacts/report" },
  { method: "POST", path: "/api/check", body: { capability: "cap.tool.basic" } },
  {
    method: "POST",
    path: "/api/track",
    body: { events: [{ event_id: "e1", metric: "cap.limit.plugin_calls_daily", amount: 1 }] },
  },
  { method: "GET", path: "/api/usage" },
]);

const INTERNAL_ROUTES = [
  "/api/internal/entitlement/sync",
  "/api/internal/subscription/sync",
  "/api/usage/ingest",
];

describe("security: internal routes", () => {
  for (const path of INTERNAL_ROUTES) {
    it(`POST ${path} rejects a missing internal key with 401`, async () => {
      const { app } = await buildTestRuntime();
      const res = await app.request(path, { method: "POST", body: "{}" });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe("unauthorized");
      await app.runtime.close();
    });

    it(`POST ${path} rejects a wrong internal key with 401`, async () => {
      const { app } = await buildTestRuntime();
      const res = await app.request(path, internal({}, `${INTERNAL_KEY}x`));
      expect(res.status).toBe(401);
      await app.runtime.close();
    });

    it(`POST ${path} answers 401 even with a key when none is configured`, async () => {
      const { app } = await buildTestRuntime({ env: { MOZAIKS_INTERNAL_API_KEY: undefined } });
      const res = await app.request(path, internal({}));
      expect(res.status).toBe(401);
      await app.runtime.close();
    });

    it(`POST ${path} accepts the right key (past auth: a bad body is 400, not 401)`, async () => {
      const { app } = await buildTestRuntime();
      const res = await app.request(path, internal({ nonsense: true }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
      await app.runtime.close();
    });
  }
});
