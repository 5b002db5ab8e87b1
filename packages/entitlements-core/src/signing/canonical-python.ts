import { canonicalSerializer } from "./canonical-writer.js";
import { CanonicalFailure } from "./json-value.js";

/**
 * A number that Python holds as a `float` (written `1.0`, not `1`). JSON.parse cannot keep
 * that distinction; {@link parseJsonLossless} produces these for literals with `.` or `e`.
 */
export class PythonFloat {
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
}

/** Python `float.__repr__`: shortest round-trip digits, `.0` on integral values, e±XX outside [1e-4, 1e16). */
export function pythonFloatRepr(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant = "", expText = "0"] = x.toExponential().split("e");
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const exp = Number(expText);
  let body: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    body = `${m}e${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
  } else if (exp >= 0) {
    const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    body = `${intPart}.${frac === "" ? "0" : frac}`;
  } else {
    body = `0.${"0".repeat(-exp - 1)}${digits}`;
  }
  return neg ? `-${body}` : body;
}

// Printable ASCII except `"` and `\` needs no escaping under ensure_ascii.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const SHORT: Record<number, string> = {
  34: '\\"',
  92: "\\\\",
  10: "\\n",
  13: "\\r",
  9: "\\t",
  8: "\\b",
  12: "\\f",
};

function pyStr(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = SHORT[c];
    if (short !== undefined) out += short;
    else if (c >= 0x20 && c <= 0x7e) out += s[i];
    // Walking UTF-16 code units yields surrogate pairs for astral characters, as Python emits.
    else out += `\\u${c.toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}

function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(i) ?? 0;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

const HIGH_UNITS = /[\uD800-\uFFFF]/;

function sortKeys(keys: string[]): string[] {
  // UTF-16 order equals code-point order unless a key holds a surrogate or U+E000..U+FFFF.
  for (const k of keys) if (!PLAIN.test(k) && HIGH_UNITS.test(k)) return keys.sort(byCodePoint);
  return keys.sort();
}

const serialize = canonicalSerializer({
  string: pyStr,
  // A JS number stands for what Python reads from the text JSON.stringify (and stringifyJson)
  // writes for it: integral values below 1e21 are written as digits (String(2 ** 63) is
  // "9223372036854776000"), a Python int; anything else gets a "." or an exponent ("1e+21"),
  // a Python float. Signing over that form is what lets a written file verify in Python.
  number: (n) => (Number.isInteger(n) && Math.abs(n) < 1e21 ? String(n + 0) : pythonFloatRepr(n)),
  sortKeys,
  // bigint and PythonFloat keep what JSON.parse would lose (exact ints, `1.0`).
  scalar: (v) => {
    if (typeof v === "bigint") return v.toString();
    if (!(v instanceof PythonFloat)) return undefined;
    if (!Number.isFinite(v.value)) throw new CanonicalFailure(`${v.value} is not representable in JSON`);
    return pythonFloatRepr(v.value);
  },
});

/**
 * The original Python signer's canonical form, `json.dumps(v, sort_keys=True,
 * separators=(",", ":"))` with `ensure_ascii`: keys sorted by code point, every non-ASCII
 * character `\uXXXX`-escaped. A JS number prints as Python prints the value it reads from
 * `JSON.stringify(n)` (digits below 1e21 as an int, otherwise float repr), so a document signed
 * here and written with `JSON.stringify` or {@link stringifyJson} verifies in Python; `bigint`
 * and {@link PythonFloat} (from {@link parseJsonLossless}) keep what JSON.parse would lose.
 * NaN/Infinity, cycles and non-JSON values throw {@link CanonicalizationError} (Python would
 * emit invalid JSON for NaN).
 *
 * @example
 * ```ts
 * pythonCanonicalJson({ b: "é", a: 0.5 }); // '{"a":0.5,"b":"\\u00e9"}'
 * ```
 */
export function pythonCanonicalJson(value: unknown): string {
  return serialize(value);
}

/** {@link pythonCanonicalJson} of a top-level object without one of its keys (e.g. `_signature`). */
export function pythonCanonicalJsonWithout(value: Record<string, unknown>, key: string): string {
  return serialize(value, key);
}
