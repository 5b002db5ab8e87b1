import { CanonicalFailure, isPlainObject, MAX_DEPTH, runCanonical } from "./json-value.js";

/** How one canonical JSON dialect writes leaves and orders keys; the walk is shared. */
export interface CanonicalDialect {
  /** A string (also used for object keys), quotes included. */
  string(s: string): string;
  /** A finite number. */
  number(n: number): string;
  /** Object keys in the dialect's order (may sort in place). */
  sortKeys(keys: string[]): string[];
  /** A bigint or non-plain object the dialect accepts as a scalar, or undefined to reject it. */
  scalar?(value: object | bigint): string | undefined;
  /** Spaces per nesting level for readable output (as `JSON.stringify(v, null, indent)`); none when unset. */
  indent?: number;
}

/** A serializer of the dialect: `(value, skipKey?)`, skipping one top-level key (e.g. `_signature`). */
export type CanonicalSerializer = (value: unknown, skipKey?: string) => string;

/**
 * Builds a canonical serializer from a dialect. Arrays and objects are walked here once for
 * every dialect: undefined properties are dropped, undefined array items, NaN/±Infinity,
 * non-JSON values and nesting deeper than {@link MAX_DEPTH} (which also stops cycles) fail with
 * the JSON path of the offending value.
 */
export function canonicalSerializer(d: CanonicalDialect): CanonicalSerializer {
  const reject = (value: unknown): never => {
    const kind = typeof value === "object" ? Object.prototype.toString.call(value) : typeof value;
    throw new CanonicalFailure(`${kind} is not a JSON value`);
  };
  const pad = d.indent ?? 0;
  // Line break + indentation before an item at `level`; empty in compact (canonical) output.
  const br = pad === 0 ? () => "" : (level: number) => `\n${" ".repeat(pad * level)}`;
  const colon = pad === 0 ? ":" : ": ";
  const write = (value: unknown, depth: number, skipKey: string | undefined): string => {
    switch (typeof value) {
      case "string":
        return d.string(value);
      case "number":
        if (!Number.isFinite(value)) throw new CanonicalFailure(`${value} is not representable in JSON`);
        return d.number(value);
      case "boolean":
        return value ? "true" : "false";
      case "bigint":
        return d.scalar?.(value) ?? reject(value);
      case "object": {
        if (value === null) return "null";
        if (depth >= MAX_DEPTH) throw new CanonicalFailure("structure too deep or cyclic");
        if (Array.isArray(value)) {
          let out = "[";
          for (let i = 0; i < value.length; i++) {
            const item: unknown = value[i];
            try {
              if (item === undefined) throw new CanonicalFailure("undefined is not a JSON value");
              out += `${i === 0 ? "" : ","}${br(depth + 1)}${write(item, depth + 1, undefined)}`;
            } catch (err) {
              if (err instanceof CanonicalFailure) err.path.unshift(i);
              throw err;
            }
          }
          return value.length === 0 ? "[]" : `${out}${br(depth)}]`;
        }
        if (!isPlainObject(value)) return d.scalar?.(value) ?? reject(value);
        let out = "{";
        for (const k of d.sortKeys(Object.keys(value))) {
          const v = value[k];
          // undefined properties are dropped, as JSON.stringify drops them when a file is written.
          if (v === undefined || k === skipKey) continue;
          try {
            out += `${out.length === 1 ? "" : ","}${br(depth + 1)}${d.string(k)}${colon}${write(v, depth + 1, undefined)}`;
          } catch (err) {
            if (err instanceof CanonicalFailure) err.path.unshift(k);
            throw err;
          }
        }
        return out.length === 1 ? "{}" : `${out}${br(depth)}}`;
      }
      default:
        return reject(value);
    }
  };
  return (value, skipKey) => runCanonical(() => write(value, 0, skipKey));
}
