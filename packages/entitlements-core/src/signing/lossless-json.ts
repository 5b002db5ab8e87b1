import { ManifestInvalidError } from "../errors.js";
import { PythonFloat } from "./canonical-python.js";
import { MAX_DEPTH } from "./json-value.js";

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WS = /[ \t\n\r]*/y;

/**
 * Parses JSON text keeping what `JSON.parse` loses for the legacy HMAC form: integers beyond
 * 2^53 become `bigint`, and number literals with a fraction or exponent become
 * {@link PythonFloat} (so `100000.0` stays distinct from `100000`). Everything else is as
 * `JSON.parse` returns it ({@link toPlainJson} gives exactly that value). Nesting deeper than
 * `maxDepth` (default 256, the canonical writers' bound) and number literals out of double
 * range (`1e400`) are rejected with a `ManifestInvalidError` naming the position, so hostile
 * text fails cleanly instead of overflowing the stack.
 *
 * @example
 * ```ts
 * parseJsonLossless('{"n": 18446744073709551616, "f": 1.0}'); // { n: 18446744073709551616n, f: PythonFloat(1) }
 * ```
 */
export function parseJsonLossless(text: string, options: { maxDepth?: number } = {}): unknown {
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  let pos = 0;
  const err = (msg: string): never => {
    throw new ManifestInvalidError(`Invalid JSON: ${msg} at position ${pos}`, [{ path: [], message: msg }]);
  };
  const ws = () => {
    WS.lastIndex = pos;
    WS.exec(text);
    pos = WS.lastIndex;
  };
  const parseString = (): string => {
    // Find the closing quote, then let JSON.parse decode escapes exactly.
    const start = pos;
    pos++;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos++;
        try {
          return JSON.parse(text.slice(start, pos)) as string;
        } catch {
          return err("bad string");
        }
      }
      pos += c === 0x5c ? 2 : 1;
    }
    return err("unterminated string");
  };
  const parseValue = (depth: number): unknown => {
    ws();
    const c = text[pos];
    if (c === undefined) err(text.trim() === "" ? "empty document" : "unexpected end of input");
    if ((c === "{" || c === "[") && depth >= maxDepth) err(`nesting deeper than ${maxDepth} levels`);
    if (c === "{") {
      pos++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[pos] === "}") {
        pos++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') err("expected key");
        const key = parseString();
        ws();
        if (text[pos] !== ":") err("expected ':'");
        pos++;
        // defineProperty so a "__proto__" key stays an own property, as with JSON.parse.
        Object.defineProperty(obj, key, {
          value: parseValue(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        ws();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        if (text[pos] === "}") {
          pos++;
          return obj;
        }
        err("expected ',' or '}'");
      }
    }
    if (c === "[") {
      pos++;
      const arr: unknown[] = [];
      ws();
      if (text[pos] === "]") {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        ws();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        if (text[pos] === "]") {
          pos++;
          return arr;
        }
        err("expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    for (const [lit, val] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (text.startsWith(lit, pos)) {
        pos += lit.length;
        return val;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m === null) return err("unexpected token");
    if (m[1] !== undefined || m[2] !== undefined) {
      const f = Number(m[0]);
      // JSON.parse would give Infinity, which no canonical form (and no schema) can carry.
      if (!Number.isFinite(f)) err(`number ${m[0]} is out of range`);
      pos = NUMBER.lastIndex;
      return new PythonFloat(f);
    }
    pos = NUMBER.lastIndex;
    const n = Number(m[0]);
    return Number.isSafeInteger(n) ? n : BigInt(m[0]);
  };
  const value = parseValue(0);
  ws();
  if (pos !== text.length) err("trailing characters");
  return value;
}

/**
 * The value `JSON.parse` gives for the same text, from a {@link parseJsonLossless} result:
 * `bigint` and {@link PythonFloat} become numbers (rounded as `JSON.parse` rounds them). What
 * RFC 8785 signatures and schemas are checked against.
 */
export function toPlainJson(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof PythonFloat) return value.value;
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // defineProperty keeps a "__proto__" key an own property, as JSON.parse does.
    Object.defineProperty(out, k, {
      value: toPlainJson(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
