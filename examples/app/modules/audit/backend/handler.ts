import type { DomainEvent, ModuleContext } from "@mozaiks/contracts";
import type { ListAuditInput } from "./schemas.js";
import * as service from "./service.js";

// Actions and reaction handlers of module.yaml / contracts/reactions.yaml; logic is in service.ts.

export const list = (input: ListAuditInput, ctx: ModuleContext) => service.listVisible(ctx, input);

/** Reaction target for domain.notifications.notification_created and notification_read. */
export const record_notification_event = (event: DomainEvent, ctx: ModuleContext) =>
  service.recordEvent(ctx, event);
