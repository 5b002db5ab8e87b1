// Types of the action inputs (validated by the runtime against module.yaml's JSON Schemas
// before the handler runs) and of the records the module returns.

export interface CreateNotificationInput {
  user_id?: string;
  category?: string;
  title: string;
  body?: string;
  data?: Record<string, unknown>;
}

export interface ListNotificationsInput {
  unread_only?: boolean;
  limit?: number;
}

export interface MarkReadInput {
  notification_id: string;
}

export interface SetPreferencesInput {
  in_app_enabled?: boolean;
  muted_categories?: string[];
}

export interface Notification {
  id: string;
  user_id: string;
  category: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  created_by: string;
  created_at: string;
  read_at: string | null;
}

export interface Preferences {
  user_id: string;
  in_app_enabled: boolean;
  muted_categories: string[];
  updated_at: string | null;
}

export type CreateResult =
  | { status: "created"; notification: Notification }
  | { status: "suppressed"; reason: string };

export const DEFAULT_CATEGORY = "general";
export const DEFAULT_LIST_LIMIT = 50;

export const EVENTS = {
  created: "domain.notifications.notification_created",
  read: "domain.notifications.notification_read",
} as const;
