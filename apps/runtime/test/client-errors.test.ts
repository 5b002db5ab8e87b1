import { join } from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Child, killChildren, spawnRuntime } from "./helpers.js";
import { type RawResponse, rawExchange } from "./raw-http.js";

const VERSION_HEADER = "x-mozaiks-runtime-version";

let child: Child;
const tmp = tempDir();
beforeAll(async () => {
  child = await spawnRuntime({ MOZAIKS_DB_PATH: join(tmp, "rt.db") }, { startEnv: true });
}, 30_000);
afterAll(() => {
  killChildren();
});

/** The flat error shape with the runtime's headers, on a connection the server then closed. */
function expectFlatError(res: RawResponse, status: number, error: string): { message: string } {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  expect(res.headers[VERSION_HEADER]).toBe("1.0.0");
  expect(res.headers.connection).toBe("close");
  const body = JSON.parse(res.body) as { error: string; message: string; request_id: string };
  expect(Object.keys(body).sort()).toEqual(["error", "message", "request_id"]);
  expect(body.error).toBe(error);
  expect(body.message.length).toBeGreaterThan(10);
  expect(body.request_id).toBe(res.headers["x-request-id"]);
  return body;
}

describe("errors of the Node HTTP layer answer like the runtime", () => {
  it("headers over the size limit → 431 headers_too_large", async () => {
    const res = await rawExchange(
      child.url,
      `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${"a".repeat(20_000)}\r\n\r\n`,
    );
    expect(expectFlatError(res, 431, "headers_too_large").message).toContain("headers");
  });

  it("a malformed request line → 400 invalid_request", async () => {
    for (const line of [
      "GET\r\n\r\n",
      "G@T /health HTTP/1.1\r\nHost: localhost\r\n\r\n",
      "GET /health HTTP/7.3\r\n\r\n",
    ]) {
      expectFlatError(await rawExchange(child.url, line), 400, "invalid_request");
    }
  });

  it("an HTTP/1.1 request without Host → 400 invalid_request naming the header", async () => {
    const res = await rawExchange(child.url, "GET /health HTTP/1.1\r\n\r\n");
    expect(expectFlatError(res, 400, "invalid_request").message).toContain("Host");
  });

  it("an invalid Host → 400 invalid_request", async () => {
    for (const host of ["exa mple.com", "localhost/evil", "a@b"]) {
      const res = await rawExchange(child.url, `GET /health HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      expect(expectFlatError(res, 400, "invalid_request").message).toContain("Host");
    }
  });

  it("bad chunked encoding → 400 invalid_request", async () => {
    const res = await rawExchange(
      child.url,
      "POST /api/usage/ingest HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    );
    expectFlatError(res, 400, "invalid_request");
  });

  it("Content-Length together with Transfer-Encoding → 400 invalid_request", async () => {
    const res = await rawExchange(
      child.url,
      "POST /api/usage/ingest HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    expectFlatError(res, 400, "invalid_request");
  });

  it("keeps serving well-formed requests afterwards", async () => {
    const res = await rawExchange(
      child.url,
      "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    expect(res.status).toBe(200);
    expect(res.headers[VERSION_HEADER]).toBe("1.0.0");
    // An HTTP/1.0 request may omit Host.
    expect((await rawExchange(child.url, "GET /health HTTP/1.0\r\n\r\n")).status).toBe(200);
  });
});
