import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { postJsonWithRetry, pushToRuntime } from "../src/index.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("postJsonWithRetry", () => {
  it("waits as long as Retry-After asks (capped) before retrying a 429", async () => {
    let calls = 0;
    const url = await listen((_req, res) => {
      calls++;
      if (calls === 1) return res.writeHead(429, { "retry-after": "2" }).end('{"error":"limit_exceeded"}');
      if (calls === 2) return res.writeHead(429, { "retry-after": "60" }).end();
      res.writeHead(200).end("{}");
    });
    const delays: number[] = [];
    const result = await postJsonWithRetry(
      url,
      { a: 1 },
      {},
      { maxDelayMs: 5000, sleep: async (ms) => void delays.push(ms) },
    );
    expect(result).toMatchObject({ ok: true, attempts: 3, status: 200 });
    expect(delays).toEqual([2000, 5000]);
  });

  it("gives up on a runtime that never answers, reporting a timeout", async () => {
    const url = await listen(() => {
      // never respond
    });
    const result = await postJsonWithRetry(
      url,
      {},
      {},
      { retries: 1, timeoutMs: 150, sleep: async () => {} },
    );
    expect(result).toEqual({ ok: false, attempts: 2, error: "request timed out" });
  });
});

describe("pushToRuntime", () => {
  it("posts to the sync route with the internal key and keeps results in input order", async () => {
    const seen: string[] = [];
    const url = await listen((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        seen.push(`${req.method} ${req.url} ${req.headers["x-internal-api-key"]} ${JSON.parse(body).app_id}`);
        // Answer the first request last, so ordering cannot come from arrival order.
        setTimeout(() => res.writeHead(200).end("{}"), JSON.parse(body).app_id === "a" ? 100 : 0);
      });
    });
    const results = await pushToRuntime(`${url}/`, [{ app_id: "a" }, { app_id: "b", user_id: "u" }], {
      internalKey: "key",
      concurrency: 2,
    });
    expect(results.map((r) => [r.app_id, r.user_id, r.ok])).toEqual([
      ["a", undefined, true],
      ["b", "u", true],
    ]);
    expect(seen.sort()).toEqual([
      "POST /api/internal/entitlement/sync key a",
      "POST /api/internal/entitlement/sync key b",
    ]);
  });
});
