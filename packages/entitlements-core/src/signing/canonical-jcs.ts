import { CanonicalizationError } from "../errors.js";
import { formatPath, isPlainObject } from "./json-value.js";

// In unicode mode a surrogate class only matches unpaired surrogates.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function fail(message: string, path: Array<string | number>): never {
  throw new CanonicalizationError(message, formatPath(path));
}

function str(s: string, path: Array<string | number>): string {
  if (LONE_SURROGATE.test(s)) fail("lone surrogate in string", path);
  // JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 requires for well-formed strings.
  return JSON.stringify(s);
}

function write(
  value: unknown,
  path: Array<string | number>,
  ancestors: Set<object>,
  skipKey?: string,
): string {
  switch (typeof value) {
    case "string":
      return str(value, path);
    case "number":
      if (!Number.isFinite(value)) fail(`${value} is not representable in JSON`, path);
      // ECMAScript Number::toString is the RFC 8785 number form; -0 serializes as 0.
      return Object.is(value, -0) ? "0" : String(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (ancestors.has(value)) fail("cyclic structure", path);
      ancestors.add(value);
      let out: string;
      if (Array.isArray(value)) {
        out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          path.push(i);
          const item: unknown = value[i];
          if (item === undefined) fail("undefined is not a JSON value", path);
          out += write(item, path, ancestors);
          path.pop();
        }
        out += "]";
      } else if (isPlainObject(value)) {
        // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 specifies.
        const keys = Object.keys(value).sort();
        out = "{";
        let first = true;
        for (const k of keys) {
          const v = value[k];
          // undefined properties are dropped, as JSON.stringify drops them when the file is written.
          if (v === undefined || k === skipKey) continue;
          path.push(k);
          if (!first) out += ",";
          first = false;
          out += `${str(k, path)}:${write(v, path, ancestors)}`;
          path.pop();
        }
        out += "}";
      } else {
        fail(`${Object.prototype.toString.call(value)} is not a JSON value`, path);
      }
      ancestors.delete(value);
      return out;
    }
    default:
      return fail(`${typeof value} is not a JSON value`, path);
  }
}

/**
 * RFC 8785 JSON Canonicalization Scheme: keys sorted by UTF-16 code units, no whitespace,
 * ECMAScript number formatting. Throws {@link CanonicalizationError} for NaN, ±Infinity,
 * lone surrogates, cycles, bigint and other non-JSON values. Object properties whose value is
 * `undefined` are omitted (as `JSON.stringify` does).
 *
 * @example
 * ```ts
 * canonicalize({ b: 1, a: [true, null, 1e21] }); // '{"a":[true,null,1e+21],"b":1}'
 * ```
 */
export function canonicalize(value: unknown): string {
  return write(value, [], new Set());
}

/** {@link canonicalize} of a top-level object without one of its keys (e.g. `_signature`). */
export function canonicalizeWithout(value: Record<string, unknown>, key: string): string {
  return write(value, [], new Set(), key);
}
