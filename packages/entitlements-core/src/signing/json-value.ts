import { formatPath } from "@mozaiks/contracts";
import { CanonicalizationError } from "../errors.js";

/** True for `{}`-style objects (prototype Object.prototype or null), the only objects JSON has. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Internal failure raised deep in a serializer. Frames add their key while it unwinds, so the
 * hot path never maintains a path stack; the public entry turns it into a CanonicalizationError.
 */
export class CanonicalFailure {
  readonly path: Array<string | number> = [];
  constructor(readonly message: string) {}
}

/** Nesting deeper than this is rejected; it also stops cycles without tracking ancestors. */
export const MAX_DEPTH = 256;

/** Runs a serializer and converts an internal failure into a public CanonicalizationError. */
export function runCanonical(fn: () => string): string {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CanonicalFailure) throw new CanonicalizationError(err.message, formatPath(err.path));
    if (err instanceof RangeError) throw new CanonicalizationError("structure too deep or cyclic", "$");
    throw err;
  }
}
