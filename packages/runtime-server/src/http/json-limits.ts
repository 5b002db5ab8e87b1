import type { MiddlewareHandler } from "hono";
import { RuntimeError } from "../errors.js";
import { mayHaveBody } from "./body.js";

/**
 * Structural bounds of a JSON request body. Deep nesting is what breaks recursive consumers
 * (structured clone to a plugin worker, `JSON.stringify` in a module, schema validation), so it
 * is refused before any handler runs. Strings and member counts are bounded by the body size.
 */
export interface JsonLimits {
  /** Deepest nesting of objects and arrays (the top-level value is level 1). */
  maxDepth: number;
  /** Most elements in any one array. */
  maxArrayLength: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 64, maxArrayLength: 100_000 };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * Scans JSON text in one pass without recursion and names the first bound it breaks, or returns
 * `undefined`. Brackets inside strings do not count. It is no validator: malformed text that stays
 * within the bounds passes here and is refused by the parser afterwards.
 */
export function jsonLimitViolation(text: string, limits: JsonLimits): string | undefined {
  // Per open container: -1 for an object, else the number of commas seen at that array's level.
  const open: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === BACKSLASH) i++;
      else if (ch === QUOTE) inString = false;
      continue;
    }
    if (ch === QUOTE) inString = true;
    else if (ch === OPEN_OBJECT || ch === OPEN_ARRAY) {
      if (open.length >= limits.maxDepth) return `JSON nesting deeper than ${limits.maxDepth} levels`;
      open.push(ch === OPEN_OBJECT ? -1 : 0);
    } else if (ch === CLOSE_OBJECT || ch === CLOSE_ARRAY) open.pop();
    else if (ch === COMMA && open.length > 0) {
      const top = open.length - 1;
      const commas = open[top] ?? -1;
      if (commas >= 0) {
        if (commas + 1 >= limits.maxArrayLength) {
          return `JSON array with more than ${limits.maxArrayLength} elements`;
        }
        open[top] = commas + 1;
      }
    }
  }
  return undefined;
}

/**
 * Hono middleware: every request body is read (hono caches it, so handlers read the same text
 * again with `c.req.text()`/`c.req.json()`) and checked against `limits` before any route runs;
 * a violation is `400 invalid_request`. Mount it after the body-size limit.
 */
export function jsonBodyLimits(limits: JsonLimits = DEFAULT_JSON_LIMITS): MiddlewareHandler {
  return async (c, next) => {
    // Asking `c.req.raw.body` would build the Fetch request the body reader avoids.
    if (mayHaveBody(c)) {
      const problem = jsonLimitViolation(await c.req.text(), limits);
      if (problem)
        throw new RuntimeError("invalid_request", `request body refused: ${problem}`, { issues: [] });
    }
    await next();
  };
}
