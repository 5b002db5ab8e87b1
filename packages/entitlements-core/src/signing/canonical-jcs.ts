import { CanonicalFailure, isPlainObject, MAX_DEPTH, runCanonical } from "./json-value.js";

// Printable ASCII except `"` and `\`: emitted verbatim (the common case for manifests).
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
// In unicode mode a surrogate class only matches unpaired surrogates.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function str(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  if (LONE_SURROGATE.test(s)) throw new CanonicalFailure("lone surrogate in string");
  // JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 requires for well-formed strings.
  return JSON.stringify(s);
}

function write(value: unknown, depth: number, skipKey: string | undefined): string {
  switch (typeof value) {
    case "string":
      return str(value);
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalFailure(`${value} is not representable in JSON`);
      // ECMAScript Number::toString is the RFC 8785 number form; -0 serializes as 0.
      return value === 0 ? "0" : String(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (depth >= MAX_DEPTH) throw new CanonicalFailure("structure too deep or cyclic");
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          try {
            if (item === undefined) throw new CanonicalFailure("undefined is not a JSON value");
            out += i === 0 ? write(item, depth + 1, undefined) : `,${write(item, depth + 1, undefined)}`;
          } catch (err) {
            if (err instanceof CanonicalFailure) err.path.unshift(i);
            throw err;
          }
        }
        return `${out}]`;
      }
      if (!isPlainObject(value)) {
        throw new CanonicalFailure(`${Object.prototype.toString.call(value)} is not a JSON value`);
      }
      // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 specifies.
      const keys = Object.keys(value).sort();
      let out = "{";
      for (const k of keys) {
        const v = value[k];
        // undefined properties are dropped, as JSON.stringify drops them when the file is written.
        if (v === undefined || k === skipKey) continue;
        try {
          out += `${out.length === 1 ? "" : ","}${str(k)}:${write(v, depth + 1, undefined)}`;
        } catch (err) {
          if (err instanceof CanonicalFailure) err.path.unshift(k);
          throw err;
        }
      }
      return `${out}}`;
    }
    default:
      throw new CanonicalFailure(`${typeof value} is not a JSON value`);
  }
}

/**
 * RFC 8785 JSON Canonicalization Scheme: keys sorted by UTF-16 code units, no whitespace,
 * ECMAScript number formatting. Throws {@link CanonicalizationError} for NaN, ±Infinity,
 * lone surrogates, cycles (nesting deeper than 256), bigint and other non-JSON values. Object
 * properties whose value is `undefined` are omitted (as `JSON.stringify` does).
 *
 * @example
 * ```ts
 * canonicalize({ b: 1, a: [true, null, 1e21] }); // '{"a":[true,null,1e+21],"b":1}'
 * ```
 */
export function canonicalize(value: unknown): string {
  return runCanonical(() => write(value, 0, undefined));
}

/** {@link canonicalize} of a top-level object without one of its keys (e.g. `_signature`). */
export function canonicalizeWithout(value: Record<string, unknown>, key: string): string {
  return runCanonical(() => write(value, 0, key));
}
