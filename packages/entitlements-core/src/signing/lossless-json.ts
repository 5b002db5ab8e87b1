import { ManifestInvalidError } from "../errors.js";
import { PythonFloat } from "./canonical-python.js";

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WS = /[ \t\n\r]*/y;

/**
 * Parses JSON text keeping what `JSON.parse` loses for the legacy HMAC form: integers beyond
 * 2^53 become `bigint`, and number literals with a fraction or exponent become
 * {@link PythonFloat} (so `100000.0` stays distinct from `100000`). Everything else is as
 * `JSON.parse` returns it. Only used to verify Python-signed documents byte-for-byte.
 *
 * @example
 * ```ts
 * parseJsonLossless('{"n": 18446744073709551616, "f": 1.0}'); // { n: 18446744073709551616n, f: PythonFloat(1) }
 * ```
 */
export function parseJsonLossless(text: string): unknown {
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
    if (depth > 512) err("nesting too deep");
    ws();
    const c = text[pos];
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
    pos = NUMBER.lastIndex;
    if (m[1] !== undefined || m[2] !== undefined) return new PythonFloat(Number(m[0]));
    const n = Number(m[0]);
    return Number.isSafeInteger(n) ? n : BigInt(m[0]);
  };
  const value = parseValue(0);
  ws();
  if (pos !== text.length) err("trailing characters");
  return value;
}
