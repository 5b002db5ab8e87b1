import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import type { RuntimeApp } from "../../src/app.js";
import { DEFAULT_JSON_LIMITS, jsonLimitViolation } from "../../src/http/json-limits.js";
import { INTERNAL_KEY, signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime } from "../helpers/runtime.js";
import {
  call,
  copyModules,
  EXAMPLE_MODULES,
  MODULE_CAPS,
  tokenFor,
  writeManifest,
} from "../modules/helpers.js";

/** `{"a":{"a":…{"a":1}…}}`, `depth` objects deep. */
function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** `[[[…[1]…]]]`, `depth` arrays deep. */
function deepArray(depth: number): string {
  return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
}

async function runtime(env: Record<string, string> = {}): Promise<RuntimeApp> {
  const { app } = await buildTestRuntime({ env });
  return app;
}

function post(app: RuntimeApp, path: string, body: string, headers: Record<string, string>) {
  return app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

async function expectRefused(res: Response, fragment: string): Promise<void> {
  const body = (await res.json()) as { error: string; message: string; request_id?: string };
  expect({ status: res.status, error: body.error }).toEqual({ status: 400, error: "invalid_request" });
  expect(body.message).toContain(fragment);
  expect(typeof body.request_id).toBe("string");
}

describe("JSON bodies are bounded before any handler runs", () => {
  it("refuses a body nested thousands of levels deep on execute with 400, not 500", async () => {
    const app = await runtime();
    const auth = bearer(await signToken());
    await expectRefused(
      await post(app, "/api/execute/echo", `{"x":${deepObject(5000)}}`, auth),
      "JSON nesting deeper than 64 levels",
    );
    await expectRefused(await post(app, "/api/execute/echo", deepArray(5000), auth), "deeper than 64");
  });

  it("refuses it on the internal sync and ingest routes and the workflow launch", async () => {
    const app = await runtime();
    const internal = { "x-internal-api-key": INTERNAL_KEY };
    for (const path of [
      "/api/internal/entitlement/sync",
      "/api/internal/subscription/sync",
      "/api/usage/ingest",
    ]) {
      await expectRefused(await post(app, path, deepObject(3000), internal), "deeper than 64");
    }
    const auth = bearer(await signToken());
    await expectRefused(
      await post(app, "/api/workflows/summarize/runs", deepObject(3000), auth),
      "deeper than 64",
    );
  });

  it("refuses it on pack module actions (which store the body with JSON.stringify)", async () => {
    const dir = tempDir("mozaiks-json-depth-");
    copyModules(EXAMPLE_MODULES, dir);
    writeManifest(dir, MODULE_CAPS);
    const { app } = await buildTestRuntime({ appPath: dir, modules: {} });
    const res = await call(
      app,
      "/api/modules/notifications/create",
      `{"title":"t","body":"b","data":${deepObject(20_000)}}`,
      await tokenFor("user-1"),
    );
    await expectRefused(res, "deeper than 64");
  });

  it("accepts exactly the limit, and brackets inside strings do not count", async () => {
    const app = await runtime();
    const auth = bearer(await signToken());
    // 63 levels inside the top-level object: 64 in all.
    const ok = await post(app, "/api/execute/echo", `{"x":${deepObject(63)}}`, auth);
    expect(ok.status).toBe(200);
    const echoed = (await ok.json()) as { echo: { x: unknown } };
    expect(JSON.stringify(echoed.echo.x)).toBe(deepObject(63));
    await expectRefused(
      await post(app, "/api/execute/echo", `{"x":${deepObject(64)}}`, auth),
      "deeper than 64",
    );

    const brackets = `[{\\"\\\\${"[".repeat(5000)}`;
    const text = await post(app, "/api/execute/echo", `{"s":"${brackets}"}`, auth);
    expect(text.status).toBe(200);
    expect(((await text.json()) as { echo: { s: string } }).echo.s).toBe(JSON.parse(`"${brackets}"`));
  });

  it("scans without recursion and tracks string escapes", () => {
    expect(jsonLimitViolation("[".repeat(1_000_000), DEFAULT_JSON_LIMITS)).toBe(
      "JSON nesting deeper than 64 levels",
    );
    // An escaped backslash ends before the closing quote; the brackets after it are structure.
    const escaped = `{"s":"\\\\","t":${deepArray(64)}}`;
    expect(() => JSON.parse(escaped)).not.toThrow();
    expect(jsonLimitViolation(escaped, DEFAULT_JSON_LIMITS)).toBe("JSON nesting deeper than 64 levels");
    expect(jsonLimitViolation(`{"s":"\\\\","t":${deepArray(63)}}`, DEFAULT_JSON_LIMITS)).toBeUndefined();
    // Commas inside an object in an array do not count as elements of that array.
    expect(jsonLimitViolation(`[{"a":1,"b":2,"c":3}]`, { maxDepth: 8, maxArrayLength: 1 })).toBeUndefined();
    expect(jsonLimitViolation(`[1,2]`, { maxDepth: 8, maxArrayLength: 1 })).toBe(
      "JSON array with more than 1 elements",
    );
  });

  it("bounds the elements of one array", async () => {
    const app = await runtime({ MOZAIKS_JSON_MAX_ARRAY_LENGTH: "1000" });
    const auth = bearer(await signToken());
    const list = (n: number) => `{"items":[${Array.from({ length: n }, () => "0").join(",")}]}`;
    expect((await post(app, "/api/execute/echo", list(1000), auth)).status).toBe(200);
    await expectRefused(await post(app, "/api/execute/echo", list(1001), auth), "more than 1000 elements");
  });

  it("takes its depth limit from MOZAIKS_JSON_MAX_DEPTH and refuses bad values at start", async () => {
    const app = await runtime({ MOZAIKS_JSON_MAX_DEPTH: "8" });
    const auth = bearer(await signToken());
    expect((await post(app, "/api/execute/echo", `{"x":${deepObject(7)}}`, auth)).status).toBe(200);
    await expectRefused(
      await post(app, "/api/execute/echo", `{"x":${deepObject(8)}}`, auth),
      "JSON nesting deeper than 8 levels",
    );
    await expect(runtime({ MOZAIKS_JSON_MAX_DEPTH: "100000" })).rejects.toThrow(/MOZAIKS_JSON_MAX_DEPTH/);
  });

  it("reads a chunked body (no Content-Length) through the guard and the handler alike", async () => {
    const app = await runtime();
    const auth = bearer(await signToken());
    const stream = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(text);
          for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
          controller.close();
        },
      });
    const init = (text: string): RequestInit & { duplex: "half" } => ({
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: stream(text),
      duplex: "half",
    });
    const ok = await app.request("/api/execute/echo", init('{"message":"chunked"}'));
    expect(await ok.json()).toMatchObject({ echo: { message: "chunked" } });
    await expectRefused(await app.request("/api/execute/echo", init(deepArray(3000))), "deeper than 64");
  });
});
