import type { ModuleErrorShape } from "@mozaiks/contracts";
import { RuntimeError } from "../errors.js";

/** The app's `modules/` folder cannot be hosted (invalid contracts, missing handlers, bad migrations). */
export class ModuleLoadError extends Error {
  readonly code = "module_load_failed" as const;
  readonly problems: string[];

  constructor(problems: string[], options?: { cause?: unknown }) {
    super(`cannot host app modules:\n${problems.map((p) => `  ${p}`).join("\n")}`, options);
    this.name = "ModuleLoadError";
    this.problems = problems;
  }
}

const MODULE_CODES = new Set<string>(["forbidden", "not_found", "invalid_request", "conflict"]);

/** True for a refusal a module handler threw on purpose (`{ code, message }`, see ModuleErrorShape). */
export function isModuleRefusal(err: unknown): err is ModuleErrorShape & Error {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && MODULE_CODES.has(code);
}

/**
 * Maps a module refusal to the runtime's stable codes: forbidden → 403 insufficient_scope
 * (the caller is authenticated and entitled, but the module's policy refuses this record),
 * not_found → 404, conflict → 409 (the request clashes with records the module holds),
 * invalid_request → 400.
 */
export function refusalToRuntimeError(
  err: ModuleErrorShape & Error,
  where: { module: string; action: string },
): RuntimeError {
  const details = { ...where, reason: err.code };
  switch (err.code) {
    case "forbidden":
      return new RuntimeError("insufficient_scope", err.message, details, { cause: err });
    case "not_found":
      return new RuntimeError("not_found", err.message, details, { cause: err });
    case "conflict":
      return new RuntimeError("conflict", err.message, details, { cause: err });
    default:
      return new RuntimeError("invalid_request", err.message, { ...details, issues: [] }, { cause: err });
  }
}

/**
 * A module transaction on SQLite whose code awaited something other than its store (a timer, a
 * fetch, other I/O) and was rolled back for it (one-turn.ts): `500 module_error`, a fault of the
 * module's code, never of the request.
 */
export function transactionEscaped(what: string): RuntimeError {
  return new RuntimeError(
    "module_error",
    `${what} awaited something other than its module store inside its transaction, so the transaction was rolled back: on SQLite a module transaction must finish within one turn of the event loop (await only ctx.store calls inside it; docs/guides/packs.md#transactions)`,
    { reason: "transaction_escaped" },
  );
}
