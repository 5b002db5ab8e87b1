import type { ModuleErrorShape } from "@mozaiks/contracts";

/** A refusal the runtime maps to a stable HTTP error (forbidden → 403, not_found → 404). */
export class AuditError extends Error implements ModuleErrorShape {
  readonly code: ModuleErrorShape["code"];

  constructor(code: ModuleErrorShape["code"], message: string) {
    super(message);
    this.name = "AuditError";
    this.code = code;
  }
}
