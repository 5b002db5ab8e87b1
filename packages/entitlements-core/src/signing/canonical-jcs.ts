import { canonicalSerializer } from "./canonical-writer.js";
import { CanonicalFailure } from "./json-value.js";

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

const serialize = canonicalSerializer({
  string: str,
  // ECMAScript Number::toString is the RFC 8785 number form; -0 serializes as 0.
  number: (n) => (n === 0 ? "0" : String(n)),
  // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 specifies.
  sortKeys: (keys) => keys.sort(),
});

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
  return serialize(value);
}

/** {@link canonicalize} of a top-level object without one of its keys (e.g. `_signature`). */
export function canonicalizeWithout(value: Record<string, unknown>, key: string): string {
  return serialize(value, key);
}
