import type { ModuleStore } from "@mozaiks/contracts";
import type { Notification, Preferences } from "./schemas.js";

// SQL lives here only; the service never writes SQL, the handler never touches the store. The
// SQL is what SQLite and PostgreSQL both accept (`?` placeholders, TEXT/INTEGER, ON CONFLICT),
// and every store call is awaited: it runs in the handler's transaction.

interface NotificationRow {
  id: string;
  user_id: string;
  category: string;
  title: string;
  body: string;
  data: string;
  created_by: string;
  created_at: string;
  read_at: string | null;
}

interface PreferencesRow {
  user_id: string;
  in_app_enabled: number;
  muted_categories: string;
  updated_at: string;
}

const toNotification = (r: NotificationRow): Notification => ({
  ...r,
  data: JSON.parse(r.data) as Record<string, unknown>,
});

export async function insertNotification(store: ModuleStore, n: Notification): Promise<void> {
  await store.run(
    `INSERT INTO notifications_items (id, user_id, category, title, body, data, created_by, created_at, read_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      n.id,
      n.user_id,
      n.category,
      n.title,
      n.body,
      JSON.stringify(n.data),
      n.created_by,
      n.created_at,
      n.read_at,
    ],
  );
}

export async function findNotification(store: ModuleStore, id: string): Promise<Notification | undefined> {
  const row = await store.get<NotificationRow>("SELECT * FROM notifications_items WHERE id = ?", [id]);
  return row ? toNotification(row) : undefined;
}

export async function listNotifications(
  store: ModuleStore,
  userId: string,
  options: { unreadOnly: boolean; limit: number },
): Promise<Notification[]> {
  const unread = options.unreadOnly ? "AND read_at IS NULL" : "";
  const rows = await store.all<NotificationRow>(
    `SELECT * FROM notifications_items WHERE user_id = ? ${unread} ORDER BY created_at DESC, id DESC LIMIT ?`,
    [userId, options.limit],
  );
  return rows.map(toNotification);
}

/** Sets read_at only when still unread; resolves whether this call changed it. */
export async function markRead(store: ModuleStore, id: string, readAt: string): Promise<boolean> {
  const { changes } = await store.run(
    "UPDATE notifications_items SET read_at = ? WHERE id = ? AND read_at IS NULL",
    [readAt, id],
  );
  return changes === 1;
}

export async function getPreferences(store: ModuleStore, userId: string): Promise<Preferences | undefined> {
  const row = await store.get<PreferencesRow>("SELECT * FROM notifications_preferences WHERE user_id = ?", [
    userId,
  ]);
  if (!row) return undefined;
  return {
    user_id: row.user_id,
    in_app_enabled: row.in_app_enabled === 1,
    muted_categories: JSON.parse(row.muted_categories) as string[],
    updated_at: row.updated_at,
  };
}

export async function upsertPreferences(
  store: ModuleStore,
  p: Preferences & { updated_at: string },
): Promise<void> {
  await store.run(
    `INSERT INTO notifications_preferences (user_id, in_app_enabled, muted_categories, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(user_id) DO UPDATE SET in_app_enabled = excluded.in_app_enabled,
       muted_categories = excluded.muted_categories, updated_at = excluded.updated_at`,
    [p.user_id, p.in_app_enabled ? 1 : 0, JSON.stringify(p.muted_categories), p.updated_at],
  );
}
