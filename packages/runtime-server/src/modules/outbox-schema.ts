/**
 * Tables of the module event bus, created by the module host at start (they belong to the
 * host, not to a pack). `module_events` is the outbox, written in the same transaction as the
 * module write that emitted the event; `module_deliveries` holds one row per (event, reaction)
 * with its state; `module_delivery_failures` keeps every failed attempt with its error.
 */
export const OUTBOX_SQL = `
CREATE TABLE IF NOT EXISTS module_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  module_id TEXT NOT NULL,
  actor_user_id TEXT,
  payload TEXT NOT NULL,
  occurred_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS module_deliveries (
  event_id TEXT NOT NULL REFERENCES module_events (event_id),
  reaction_id TEXT NOT NULL,
  module_id TEXT NOT NULL,
  handler_method TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  delivered_at TEXT,
  PRIMARY KEY (event_id, reaction_id)
);
CREATE INDEX IF NOT EXISTS module_deliveries_due ON module_deliveries (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS module_delivery_failures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  reaction_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  error TEXT NOT NULL,
  failed_at TEXT NOT NULL
);
`;
