import { HealthResponseSchema } from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import { drivers } from "../helpers/drivers.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime } from "../helpers/runtime.js";

describe.each(drivers)("health, readiness and cross-cutting behaviour ($name)", (driver) => {
  it("reports health with app id, display tier, plugin count and version", async () => {
    const { app } = await buildTestRuntime({ driver });
    const res = await app.request("/health");
    expect(res.status).toBe(200);
    const body = HealthResponseSchema.parse(await res.json());
    expect(body).toEqual({
      status: "healthy",
      app_id: "example-app",
      app_tier: "starter",
      plugins_loaded: 3,
      version: "1.0.0",
    });
    expect(res.headers.get("x-mozaiks-runtime-version")).toBe("1.0.0");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("is not ready (503) until the bundle is loaded, and refuses API calls meanwhile", async () => {
    const { app } = await buildTestRuntime({ driver, start: false });
    const before = await app.request("/ready");
    expect(before.status).toBe(503);
    expect(((await before.json()) as { status: string }).status).toBe("not_ready");
    const api = await app.request("/api/plugins", { headers: bearer(await signToken()) });
    expect(api.status).toBe(503);
    expect(((await api.json()) as { error: string }).error).toBe("not_ready");
    await app.runtime.start();
    const after = await app.request("/ready");
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: "ready" });
  });

  it("answers unknown routes with 404 not_found and the version header", async () => {
    const { app } = await buildTestRuntime({ driver });
    const res = await app.request("/nope");
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: string; request_id: string };
    expect(body.error).toBe("not_found");
    expect(body.request_id).toBe(res.headers.get("x-request-id"));
    expect(res.headers.get("x-mozaiks-runtime-version")).toBe("1.0.0");
  });

  it("keeps a caller-supplied request id", async () => {
    const { app } = await buildTestRuntime({ driver });
    const res = await app.request("/health", { headers: { "x-request-id": "req-abc-123" } });
    expect(res.headers.get("x-request-id")).toBe("req-abc-123");
  });

  it("rejects a body over the size limit with 413 payload_too_large", async () => {
    const { app } = await buildTestRuntime({ driver, env: { MOZAIKS_MAX_BODY_BYTES: "1024" } });
    const res = await app.request("/api/execute/echo", {
      method: "POST",
      headers: { ...bearer(await signToken()), "content-type": "application/json" },
      body: JSON.stringify({ blob: "x".repeat(5000) }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: string };
    expect(body.error).toBe("payload_too_large");
    expect(res.headers.get("x-mozaiks-runtime-version")).toBe("1.0.0");
  });
});
