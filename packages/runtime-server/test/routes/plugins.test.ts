import {
  CapabilityDeniedPayloadSchema,
  LimitExceededPayloadSchema,
  PluginListResponseSchema,
} from "@mozaiks/contracts";
import { describe, expect, it } from "vitest";
import { drivers } from "../helpers/drivers.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime } from "../helpers/runtime.js";
import { syncManifest } from "../workflows/helpers.js";

const FIXTURE_APP = new URL("../fixtures/app", import.meta.url).pathname;

async function post(
  app: Awaited<ReturnType<typeof buildTestRuntime>>["app"],
  path: string,
  body: unknown,
  token?: string,
) {
  return app.request(path, {
    method: "POST",
    headers: { ...bearer(token ?? (await signToken())), "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe.each(drivers)("plugins: list and execute ($name)", (driver) => {
  it("lists every plugin with its capability and whether the caller may run it", async () => {
    const { app } = await buildTestRuntime({ driver });
    for (const path of ["/api/plugins", "/api/available-plugins"]) {
      const res = await app.request(path, { headers: bearer(await signToken()) });
      expect(res.status).toBe(200);
      const { plugins } = PluginListResponseSchema.parse(await res.json());
      const byName = Object.fromEntries(plugins.map((p) => [p.name, p]));
      expect(Object.keys(byName).sort()).toEqual(["echo", "report_export", "word_count"]);
      expect(byName.echo).toMatchObject({
        capability: "cap.tool.basic",
        allowed: true,
        display_name: "Echo",
      });
      expect(byName.word_count?.allowed).toBe(true);
      expect(byName.report_export).toMatchObject({ capability: "cap.tool.report_export", allowed: false });
    }
  });

  it("runs a plugin and returns its JSON result", async () => {
    const { app } = await buildTestRuntime({ driver });
    const res = await post(app, "/api/execute/word_count", { text: "one two three" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ words: 3 });
  });

  it("overwrites client-sent _context and user_jwt with server values", async () => {
    const { app } = await buildTestRuntime({ driver, appPath: FIXTURE_APP });
    const token = await signToken({
      sub: "user-9",
      preferred_username: "grace",
      roles: ["admin"],
      is_superadmin: true,
    });
    const res = await post(
      app,
      "/api/execute/inspect",
      { x: 1, _context: { app_id: "evil", user_id: "root", is_superadmin: true }, user_jwt: "forged" },
      token,
    );
    expect(res.status).toBe(200);
    const out = (await res.json()) as { data: Record<string, unknown>; context: unknown };
    const expected = {
      app_id: "example-app",
      user_id: "user-9",
      username: "grace",
      roles: ["admin"],
      is_superadmin: true,
    };
    expect(out.data._context).toEqual(expected);
    expect(out.data.user_jwt).toBe(token);
    expect(out.data.x).toBe(1);
  });

  it("denies a plugin whose capability the plan lacks with the 403 capability_denied payload", async () => {
    const { app } = await buildTestRuntime({ driver });
    const res = await post(app, "/api/execute/report_export", { rows: [{ a: 1 }] });
    expect(res.status).toBe(403);
    const body = CapabilityDeniedPayloadSchema.parse(await res.json());
    expect(body.capability_id).toBe("cap.tool.report_export");
    expect(body.available_capabilities).toContain("cap.tool.echo");
    expect(body.request_id).toBe(res.headers.get("x-request-id"));
  });

  it("answers 404 plugin_not_found for an unknown plugin", async () => {
    const { app } = await buildTestRuntime({ driver });
    const res = await post(app, "/api/execute/nope", {});
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe("plugin_not_found");
  });

  it("answers 400 invalid_request for malformed JSON or a non-object body", async () => {
    const { app } = await buildTestRuntime({ driver });
    for (const body of ["{not json", "[1,2]"]) {
      const res = await post(app, "/api/execute/echo", body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
    }
  });

  it("maps a plugin that throws to 500 plugin_error and a slow one to 504 plugin_timeout", async () => {
    const { app } = await buildTestRuntime({ driver });
    const bad = await post(app, "/api/execute/word_count", { text: 42 });
    expect(bad.status).toBe(500);
    expect(await bad.json()).toMatchObject({ error: "plugin_error", plugin: "word_count" });
    await app.runtime.close();

    const slow = await buildTestRuntime({
      driver,
      appPath: FIXTURE_APP,
      env: { MOZAIKS_PLUGIN_TIMEOUT_SECONDS: "0.3" },
    });
    await syncManifest(slow.app, { capabilities: ["cap.tool.basic", "cap.tool.slow_pro"] });
    const res = await post(slow.app, "/api/execute/slow_pro", { ms: 5000 });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: string }).error).toBe("plugin_timeout");
  });

  it("reserves cap.limit.plugin_calls_daily per call and answers 429 limit_exceeded when used up", async () => {
    const { app, clock } = await buildTestRuntime({ driver });
    await syncManifest(app, {
      user_id: "user-1",
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 2 },
    });
    expect((await post(app, "/api/execute/echo", {})).status).toBe(200);
    expect((await post(app, "/api/execute/echo", {})).status).toBe(200);
    const third = await post(app, "/api/execute/echo", {});
    expect(third.status).toBe(429);
    const body = LimitExceededPayloadSchema.parse(await third.json());
    expect(body).toMatchObject({
      limit_id: "cap.limit.plugin_calls_daily",
      limit_value: 2,
      current_usage: 2,
    });
    clock.advance(24 * 3600 * 1000); // next UTC day: the daily counter starts over
    expect(
      (await post(app, "/api/execute/echo", {}, await signToken({ iat: undefined, exp: 4_102_444_800 })))
        .status,
    ).toBe(200);
  });

  it("allows with an X-Mozaiks-Entitlement-Warning header when the limit is under warn enforcement", async () => {
    const { app } = await buildTestRuntime({ driver });
    await syncManifest(app, {
      capabilities: ["cap.tool.basic"],
      limits: { "cap.limit.plugin_calls_daily": 0 },
      enforcement: { "cap.limit.plugin_calls_daily": "warn" },
    });
    const res = await post(app, "/api/execute/echo", {});
    expect(res.status).toBe(200);
    expect(res.headers.get("x-mozaiks-entitlement-warning")).toContain("cap.limit.plugin_calls_daily");
  });
});
