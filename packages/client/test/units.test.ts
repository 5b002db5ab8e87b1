import { describe, expect, it } from "vitest";
import {
  errorFromAnswer,
  LimitExceededError,
  parseSse,
  retryAfterMs,
  ServerError,
  UnavailableError,
} from "../src/index.js";

describe("retryAfterMs", () => {
  it("reads delay-seconds and HTTP dates, and nothing else", () => {
    const now = Date.parse("2026-03-15T12:00:00Z");
    expect(retryAfterMs("3", now)).toBe(3000);
    expect(retryAfterMs("Sun, 15 Mar 2026 12:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMs("Sun, 15 Mar 2026 11:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe("errorFromAnswer", () => {
  it("picks the class of a known code, and of the status for a code this client does not know", () => {
    expect(errorFromAnswer(429, { error: "limit_exceeded", message: "m" }, "r")).toBeInstanceOf(
      LimitExceededError,
    );
    expect(errorFromAnswer(503, { error: "brand_new_code" }, "r")).toBeInstanceOf(UnavailableError);
    expect(errorFromAnswer(502, {}, "r")).toBeInstanceOf(ServerError);
  });
});

describe("parseSse", () => {
  it("splits events across chunk boundaries, joins data lines and keeps the last id", async () => {
    const chunks = ['id: 1\ndata: {"a"', ":1}\n\n: comment\nid: 2\nevent: x\ndata: l1\ndata: l2\r\n\r\n"];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(new TextEncoder().encode(ch));
        c.close();
      },
    });
    const out = [];
    for await (const m of parseSse(body)) out.push(m);
    expect(out).toEqual([
      { id: "1", event: undefined, data: '{"a":1}' },
      { id: "2", event: "x", data: "l1\nl2" },
    ]);
  });
});
