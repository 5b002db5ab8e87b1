import type { ModuleActor } from "@mozaiks/contracts";
import { NotificationsError } from "./errors.js";
import type { Notification } from "./schemas.js";

/** Who receives a new notification: the caller, or anyone when the caller is a superadmin. */
export function recipientFor(actor: ModuleActor, requested: string | undefined): string {
  const recipient = requested ?? actor.user_id;
  if (recipient !== actor.user_id && !actor.is_superadmin) {
    throw new NotificationsError("forbidden", "only a superadmin may create notifications for another user");
  }
  return recipient;
}

/**
 * Users see and mark only their own notifications. Someone else's notification answers
 * not_found rather than forbidden, so ids of other users' records are not disclosed.
 */
export function assertOwner(actor: ModuleActor, n: Notification | undefined, id: string): Notification {
  if (!n || n.user_id !== actor.user_id)
    throw new NotificationsError("not_found", `notification ${id} not found`);
  return n;
}
