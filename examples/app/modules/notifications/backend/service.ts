import type { ModuleContext } from "@mozaiks/contracts";
import { assertOwner, recipientFor } from "./policy.js";
import * as repo from "./repo.js";
import {
  type CreateNotificationInput,
  type CreateResult,
  DEFAULT_CATEGORY,
  DEFAULT_LIST_LIMIT,
  EVENTS,
  type ListNotificationsInput,
  type MarkReadInput,
  type Notification,
  type Preferences,
  type SetPreferencesInput,
} from "./schemas.js";

/** Preferences of a user, or the defaults (everything delivered) when never set. */
export async function preferencesOf(ctx: ModuleContext, userId: string): Promise<Preferences> {
  return (
    (await repo.getPreferences(ctx.store, userId)) ?? {
      user_id: userId,
      in_app_enabled: true,
      muted_categories: [],
      updated_at: null,
    }
  );
}

/**
 * Creates a notification unless the recipient turned in-app notifications off or muted the
 * category; the record and its notification_created event commit together.
 */
export async function createNotification(
  ctx: ModuleContext,
  input: CreateNotificationInput,
): Promise<CreateResult> {
  const userId = recipientFor(ctx.actor, input.user_id);
  const category = input.category ?? DEFAULT_CATEGORY;
  const prefs = await preferencesOf(ctx, userId);
  if (!prefs.in_app_enabled)
    return { status: "suppressed", reason: "in-app notifications are disabled by the recipient" };
  if (prefs.muted_categories.includes(category)) {
    return { status: "suppressed", reason: `category ${category} is muted by the recipient` };
  }
  const notification: Notification = {
    id: ctx.newId(),
    user_id: userId,
    category,
    title: input.title,
    body: input.body ?? "",
    data: input.data ?? {},
    created_by: ctx.actor.user_id,
    created_at: ctx.now().toISOString(),
    read_at: null,
  };
  await repo.insertNotification(ctx.store, notification);
  ctx.emit(EVENTS.created, {
    notification_id: notification.id,
    user_id: userId,
    category,
    title: notification.title,
    created_by: notification.created_by,
  });
  return { status: "created", notification };
}

export async function listOwn(
  ctx: ModuleContext,
  input: ListNotificationsInput,
): Promise<{ notifications: Notification[] }> {
  const notifications = await repo.listNotifications(ctx.store, ctx.actor.user_id, {
    unreadOnly: input.unread_only ?? false,
    limit: input.limit ?? DEFAULT_LIST_LIMIT,
  });
  return { notifications };
}

/** Marks a notification read; notification_read is emitted only by the call that changed it. */
export async function markRead(
  ctx: ModuleContext,
  input: MarkReadInput,
): Promise<{ notification: Notification }> {
  const found = await repo.findNotification(ctx.store, input.notification_id);
  assertOwner(ctx.actor, found, input.notification_id);
  const readAt = ctx.now().toISOString();
  if (await repo.markRead(ctx.store, input.notification_id, readAt)) {
    ctx.emit(EVENTS.read, {
      notification_id: input.notification_id,
      user_id: ctx.actor.user_id,
      read_at: readAt,
    });
  }
  const notification = (await repo.findNotification(ctx.store, input.notification_id)) as Notification;
  return { notification };
}

export async function getOwnPreferences(ctx: ModuleContext): Promise<{ preferences: Preferences }> {
  return { preferences: await preferencesOf(ctx, ctx.actor.user_id) };
}

export async function setOwnPreferences(
  ctx: ModuleContext,
  input: SetPreferencesInput,
): Promise<{ preferences: Preferences }> {
  const current = await preferencesOf(ctx, ctx.actor.user_id);
  const next = {
    user_id: ctx.actor.user_id,
    in_app_enabled: input.in_app_enabled ?? current.in_app_enabled,
    muted_categories: [...new Set(input.muted_categories ?? current.muted_categories)].sort(),
    updated_at: ctx.now().toISOString(),
  };
  await repo.upsertPreferences(ctx.store, next);
  return { preferences: next };
}
