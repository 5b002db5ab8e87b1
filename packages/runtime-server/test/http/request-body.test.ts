import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { onError } from "../../src/errors.js";
import { requestBody } from "../../src/http/body.js";
import type { RuntimeHonoEnv } from "../../src/http/hono-env.js";
import { signToken } from "../helpers/keys.js";
import { bearer, buildTestRuntime } from "../helpers/runtime.js";

// The body reader on a real Node server on loopback (app.request never has a Node request).
const servers: Array<ReturnType<typeof serve>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

function listen(fetch: (req: Request, env: unknown) => Response | Promise<Response>): Promise<string> {
  return new Promise((resolve) => {
    const server = serve({ fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
    servers.push(server);
  });
}

/** POSTs `chunks` one write each; `chunked` sends no Content-Length. */
function post(url: string, chunks: Buffer[], headers: Record<string, string>, chunked: boolean) {
  const length = chunks.reduce((n, c) => n + c.length, 0);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", headers: { ...headers, ...(chunked ? {} : { "content-length": String(length) }) } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

const split = (text: string, at: number[]) => {
  const bytes = Buffer.from(text);
  const cuts = [0, ...at, bytes.length];
  return cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end));
};

describe("request bodies on the runtime's Node server", () => {
  it("a chunked JSON body, cut inside a multi-byte character, reaches the plugin intact", async () => {
    const { app } = await buildTestRuntime();
    const url = await listen(app.fetch);
    const text = JSON.stringify({ message: "héllo wörld ✓", n: 42 });
    const cut = Buffer.from(text).indexOf(Buffer.from("✓")) + 1;
    const res = await post(
      `${url}/api/execute/echo`,
      split(text, [5, cut]),
      { ...bearer(await signToken()), "content-type": "application/json" },
      true,
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).echo).toEqual({ message: "héllo wörld ✓", n: 42 });
  });

  it("over the size limit is 413 payload_too_large, declared or chunked", async () => {
    const { app } = await buildTestRuntime({ env: { MOZAIKS_MAX_BODY_BYTES: "1024" } });
    const url = await listen(app.fetch);
    const headers = { ...bearer(await signToken()), "content-type": "application/json" };
    const big = JSON.stringify({ blob: "x".repeat(5000) });
    for (const chunked of [false, true]) {
      const res = await post(`${url}/api/execute/echo`, split(big, [1000, 2000, 3000]), headers, chunked);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error).toBe("payload_too_large");
    }
    // The connection and the limit both still work for the next request.
    const ok = await post(`${url}/api/execute/echo`, [Buffer.from('{"a":1}')], headers, true);
    expect(ok.status).toBe(200);
  });

  it("is read from the Node request: no Fetch Request is built, text, JSON and forms read from the cache", async () => {
    const app = new Hono<RuntimeHonoEnv>()
      .use(requestBody(1024))
      .post("/text", async (c) => {
        const text = await c.req.text();
        // node-server's lightweight request names the Fetch Request it built, if any.
        return c.json({ text, built: !inspect(c.req.raw).includes("nativeRequest: undefined") });
      })
      .post("/json", async (c) => c.json(await c.req.json()))
      .post("/form", async (c) => c.json(await c.req.parseBody()))
      .get("/get", (c) => c.json({ built: !inspect(c.req.raw).includes("nativeRequest: undefined") }));
    app.onError(onError);
    const url = await listen(app.fetch);
    const text = await post(`${url}/text`, [Buffer.from("ab"), Buffer.from("c")], {}, true);
    expect(JSON.parse(text.body)).toEqual({ text: "abc", built: false });
    const json = await post(
      `${url}/json`,
      [Buffer.from('{"k":[1,2]}')],
      { "content-type": "application/json" },
      false,
    );
    expect(JSON.parse(json.body)).toEqual({ k: [1, 2] });
    const form = await post(
      `${url}/form`,
      [Buffer.from("a=1&b=two")],
      { "content-type": "application/x-www-form-urlencoded" },
      false,
    );
    expect(JSON.parse(form.body)).toEqual({ a: "1", b: "two" });
    expect(await (await fetch(`${url}/get`)).json()).toEqual({ built: false });
  });
});
