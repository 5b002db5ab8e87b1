import type { ModuleActor } from "@mozaiks/contracts";
import { AuditError } from "./errors.js";

/**
 * Whose records a caller may list: a superadmin anyone's (or all, when no user is named);
 * everyone else only records about themselves.
 */
export function listScope(actor: ModuleActor, requestedUser: string | undefined): string | undefined {
  if (actor.is_superadmin) return requestedUser;
  if (requestedUser !== undefined && requestedUser !== actor.user_id) {
    throw new AuditError("forbidden", "only a superadmin may read another user's audit records");
  }
  return actor.user_id;
}
