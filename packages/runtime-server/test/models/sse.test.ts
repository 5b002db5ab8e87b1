import { describe, expect, it } from "vitest";
import { readSse } from "../../src/engine/models/index.js";

function body(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(enc.encode(chunk));
      c.close();
    },
  });
}

async function all(chunks: string[]) {
  const out = [];
  for await (const e of readSse(body(chunks))) out.push(e);
  return out;
}

describe("server-sent events reader", () => {
  it("joins data lines, names events, skips comments and dispatches on blank lines", async () => {
    expect(await all([": keep-alive\n", "event: a\ndata: 1\ndata: 2\n\n", "data: x\n\n"])).toEqual([
      { event: "a", data: "1\n2" },
      { event: "message", data: "x" },
    ]);
  });

  it("reads CRLF, CR and LF line ends, also split across chunks (a CRLF cut between two)", async () => {
    expect(await all(["data: a\r", "\n\r\ndata: b\r\rdata: c\n", "\n"])).toEqual([
      { event: "message", data: "a" },
      { event: "message", data: "b" },
      { event: "message", data: "c" },
    ]);
  });

  it("reassembles an event split mid-line and mid-character", async () => {
    const text = 'data: {"t":"é"}\n\n';
    const bytes = new TextEncoder().encode(text);
    const split = bytes.indexOf(0xc3) + 1; // inside the two bytes of é
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, split));
        c.enqueue(bytes.slice(split));
        c.close();
      },
    });
    const out = [];
    for await (const e of readSse(stream)) out.push(e);
    expect(out).toEqual([{ event: "message", data: '{"t":"é"}' }]);
  });

  it("delivers a last event that lacks its blank line; an event without data is none", async () => {
    expect(await all(["event: only-name\n\n", "data: [DONE]"])).toEqual([
      { event: "message", data: "[DONE]" },
    ]);
  });

  it("keeps a value's spaces after the first one, and a field without a colon", async () => {
    expect(await all(["data:  two spaces\ndata\n\n"])).toEqual([{ event: "message", data: " two spaces\n" }]);
  });
});
