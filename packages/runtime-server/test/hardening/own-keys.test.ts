import { describe, expect, it } from "vitest";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime, internal } from "../helpers/runtime.js";

// Names a client chooses (plan ids, plugin, workflow and run names) are looked up by own keys
// only: the names of Object.prototype members must read as unknown, never as a 500.
const PROTOTYPE_NAMES = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
  "__defineGetter__",
  "toLocaleString",
];

describe("client-chosen names never resolve to Object.prototype members", () => {
  it("answers a legacy sync naming a prototype member as a plan with 400 unknown plan", async () => {
    const { app } = await buildTestRuntime();
    for (const plan of PROTOTYPE_NAMES) {
      const res = await app.request(
        "/api/internal/subscription/sync",
        internal({ userId: "user-1", plan, status: "active" }),
      );
      expect(res.status, plan).toBe(400);
      const body = (await res.json()) as { error: string; message: string; known_plans: string[] };
      expect(body.error).toBe("invalid_request");
      expect(body.message).toContain("is not in the plan catalog");
      expect(body.known_plans).toEqual(["free", "starter", "pro", "enterprise"]);
    }
  });

  it("answers 404 for plugins, workflows and runs named after prototype members", async () => {
    const { app } = await buildTestRuntime();
    const headers = { ...bearer(await signToken()), "content-type": "application/json" };
    for (const name of PROTOTYPE_NAMES) {
      const exec = await app.request(`/api/execute/${name}`, { method: "POST", headers, body: "{}" });
      expect(exec.status, `execute ${name}`).toBe(404);
      expect(((await exec.json()) as { error: string }).error).toBe("plugin_not_found");
      const run = await app.request(`/api/workflows/${name}/runs`, { method: "POST", headers, body: "{}" });
      expect([400, 404], `workflow ${name}`).toContain(run.status);
      const events = await app.request(`/api/runs/${name}/events`, { headers });
      expect(events.status, `run ${name}`).toBe(404);
    }
  });

  it("keeps v1.1 feature and rate-limit keys named after prototype members as plain data", async () => {
    const { app } = await buildTestRuntime();
    const res = await app.request(
      "/api/internal/entitlement/sync",
      internal({
        version: "1.1",
        app_id: "example-app",
        user_id: "user-1",
        features: { constructor: true, hasownproperty: true },
        rate_limits: { constructor: 3, tostring: 4 },
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { capabilities: string[]; limits: Record<string, number> };
    expect(body.capabilities.sort()).toEqual(["cap.feature.constructor", "cap.feature.hasownproperty"]);
    expect(body.limits).toEqual({ "cap.limit.constructor": 3, "cap.limit.tostring": 4 });
    const me = await app.request("/api/entitlements", { headers: bearer(await signToken()) });
    expect(me.status).toBe(200);
  });
});
