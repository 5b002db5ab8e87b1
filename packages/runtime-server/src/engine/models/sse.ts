/** One server-sent event: its `event` name (`message` when absent) and its joined `data` lines. */
export interface SseMessage {
  event: string;
  data: string;
}

/**
 * Reads a `text/event-stream` body into events (WHATWG event-stream rules): lines end with
 * CRLF, LF or CR, even split across chunks; `:` lines are comments; `data` lines join with
 * `\n`; a blank line dispatches. A last event without its blank line is still delivered.
 *
 * @example
 * ```ts
 * for await (const e of readSse(res.body)) if (e.data !== "[DONE]") handle(JSON.parse(e.data));
 * ```
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buf = "";
  let event = "";
  let data: string[] = [];
  let hasData = false;
  const line = (text: string): SseMessage | undefined => {
    if (text === "") {
      const out = hasData ? { event: event || "message", data: data.join("\n") } : undefined;
      event = "";
      data = [];
      hasData = false;
      return out;
    }
    if (text.startsWith(":")) return undefined;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      data.push(value);
      hasData = true;
    } else if (field === "event") event = value;
    return undefined;
  };
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buf += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (;;) {
        let i = start;
        while (i < buf.length && buf[i] !== "\n" && buf[i] !== "\r") i++;
        if (i >= buf.length) break;
        // A CR at the end of a chunk may be the first half of a CRLF: wait for the next chunk.
        if (buf[i] === "\r" && i === buf.length - 1 && !done) break;
        const msg = line(buf.slice(start, i));
        if (msg) yield msg;
        start = buf[i] === "\r" && buf[i + 1] === "\n" ? i + 2 : i + 1;
      }
      buf = buf.slice(start);
      if (done) break;
    }
    if (buf !== "") {
      const msg = line(buf);
      if (msg) yield msg;
    }
    const last = line("");
    if (last) yield last;
  } finally {
    // Stopped early (or failed): let the connection go.
    await reader.cancel().catch(() => undefined);
  }
}
