import type { Readable } from "node:stream";

export type LogStream = "stdout" | "stderr";

/**
 * Written by the worker (see worker.mjs) into both streams, followed by a plugin name and a
 * newline, before a job of another plugin starts: stdio reaches the server on its own
 * channel, later than the job's reply, so only an in-band mark attributes lines correctly.
 */
export const PLUGIN_MARK = "\u0001mozaiks-plugin\u0001";

// A plugin printing without newlines must not grow the buffer without bound.
const MAX_LINE_CHARS = 16 * 1024;

/**
 * Calls `emit` with each line `stream` produces (no newline) and the plugin that printed it,
 * as named by the last {@link PLUGIN_MARK}; a failing `emit` is ignored.
 */
export function forwardLines(stream: Readable, emit: (plugin: string, line: string) => void): void {
  let plugin = "unknown";
  const send = (line: string) => {
    const mark = line.indexOf(PLUGIN_MARK);
    if (mark >= 0) {
      // Text before the mark is an unterminated line of the previous plugin.
      if (mark > 0) send(line.slice(0, mark));
      plugin = line.slice(mark + PLUGIN_MARK.length);
      return;
    }
    try {
      emit(plugin, line);
    } catch {
      // A log sink that throws must not become an uncaught exception in the server.
    }
  };
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    pending += chunk;
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      send(pending.slice(0, pending[nl - 1] === "\r" ? nl - 1 : nl));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
    }
    while (pending.length > MAX_LINE_CHARS) {
      send(pending.slice(0, MAX_LINE_CHARS));
      pending = pending.slice(MAX_LINE_CHARS);
    }
  });
  stream.on("end", () => {
    if (pending !== "") send(pending);
    pending = "";
  });
}
