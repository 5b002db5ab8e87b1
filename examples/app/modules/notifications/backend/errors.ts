import type { ModuleErrorShape } from "@mozaiks/contracts";

/**
 * A refusal the runtime maps to a stable HTTP error (forbidden → 403, not_found → 404,
 * invalid_request → 400). Plain class, no runtime dependency, so the module stays portable.
 */
export class NotificationsError extends Error implements ModuleErrorShape {
  readonly code: ModuleErrorShape["code"];

  constructor(code: ModuleErrorShape["code"], message: string) {
    super(message);
    this.name = "NotificationsError";
    this.code = code;
  }
}
