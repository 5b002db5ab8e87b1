import type { z } from "zod";
import { RuntimeError } from "../errors.js";

/** A 400 `invalid_request` carrying the zod issues as `{path, message, code}`. */
export function invalidRequest(error: z.ZodError, what = "request body"): RuntimeError {
  const issues = error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === "number" ? p : String(p))),
    message: i.message,
    code: i.code,
  }));
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join(".")}` : "";
  return new RuntimeError("invalid_request", `Invalid ${what}: ${first?.message ?? "invalid"}${where}`, {
    issues,
  });
}

/** Parses with `schema` or throws {@link invalidRequest}. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what?: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidRequest(r.error, what);
  return r.data;
}
