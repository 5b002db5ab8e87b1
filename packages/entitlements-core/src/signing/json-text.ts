import { PythonFloat, pythonFloatRepr } from "./canonical-python.js";
import { canonicalSerializer } from "./canonical-writer.js";
import { CanonicalFailure } from "./json-value.js";

const dialect = {
  // JSON.stringify escapes lone surrogates as \udXXX, which every reader turns back into the same string.
  string: (s: string) => JSON.stringify(s),
  // Exactly JSON.stringify's digits: the Python canonical form reads numbers back the same way.
  number: (n: number) => String(n + 0),
  // Insertion order, as JSON.stringify keeps it.
  sortKeys: (keys: string[]) => keys,
  // What JSON.stringify cannot write: exact integers and Python floats (`1.0` stays `1.0`).
  scalar: (v: object | bigint) => {
    if (typeof v === "bigint") return v.toString();
    if (!(v instanceof PythonFloat)) return undefined;
    if (!Number.isFinite(v.value)) throw new CanonicalFailure(`${v.value} is not representable in JSON`);
    return pythonFloatRepr(v.value);
  },
};

const writers = new Map([[0, canonicalSerializer(dialect)]]);

/**
 * Writes a signed document as text that reads back to exactly what was signed, by
 * {@link parseJsonLossless} and by Python's `json` alike: output equals
 * `JSON.stringify(value, null, indent)` for plain JSON values, and `bigint` /
 * {@link PythonFloat} (e.g. from a lossless read of a Python-signed file) are written exactly
 * (`9223372036854775808`, `100000.0`) instead of throwing or collapsing to `100000`. NaN,
 * ±Infinity, non-JSON values and nesting deeper than 256 throw `CanonicalizationError`.
 *
 * @example
 * ```ts
 * writeFileSync("entitlement_manifest.json", `${stringifyJson(signer.sign(m), 2)}\n`);
 * ```
 */
export function stringifyJson(value: unknown, indent = 0): string {
  // Clamped like JSON.stringify's space argument.
  indent = Number.isFinite(indent) ? Math.min(10, Math.max(0, Math.floor(indent))) : 0;
  let write = writers.get(indent);
  if (write === undefined) {
    write = canonicalSerializer({ ...dialect, indent });
    writers.set(indent, write);
  }
  return write(value);
}
