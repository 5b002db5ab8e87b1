CREATE TABLE notifications_items (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  category TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL DEFAULT '{}',
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  read_at TEXT
);
CREATE INDEX notifications_items_user_created ON notifications_items (user_id, created_at DESC, id DESC);

CREATE TABLE notifications_preferences (
  user_id TEXT PRIMARY KEY,
  in_app_enabled INTEGER NOT NULL DEFAULT 1,
  muted_categories TEXT NOT NULL DEFAULT '[]',
  updated_at TEXT NOT NULL
);
