import type { Context } from "hono";
import { RuntimeError } from "../errors.js";

/** Reads a JSON body; malformed JSON is a 400, never a 500. An empty body reads as `{}` when allowed. */
export async function readJson(c: Context, opts: { emptyAsObject?: boolean } = {}): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") {
    if (opts.emptyAsObject) return {};
    throw new RuntimeError("invalid_request", "request body must be JSON", { issues: [] });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RuntimeError("invalid_request", `request body is not valid JSON: ${(err as Error).message}`, {
      issues: [],
    });
  }
}
