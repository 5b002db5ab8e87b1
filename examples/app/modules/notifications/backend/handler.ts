import type { ModuleContext } from "@mozaiks/contracts";
import type {
  CreateNotificationInput,
  ListNotificationsInput,
  MarkReadInput,
  SetPreferencesInput,
} from "./schemas.js";
import * as service from "./service.js";

// One exported function per action of module.yaml. The runtime has already authenticated the
// caller, checked cap.feature.notifications and validated the input; this file only routes.
// Each returns the service's promise; the runtime commits once it resolves.

export const create = (input: CreateNotificationInput, ctx: ModuleContext) =>
  service.createNotification(ctx, input);
export const list = (input: ListNotificationsInput, ctx: ModuleContext) => service.listOwn(ctx, input);
export const mark_read = (input: MarkReadInput, ctx: ModuleContext) => service.markRead(ctx, input);
export const get_preferences = (_input: Record<string, never>, ctx: ModuleContext) =>
  service.getOwnPreferences(ctx);
export const set_preferences = (input: SetPreferencesInput, ctx: ModuleContext) =>
  service.setOwnPreferences(ctx, input);
