CREATE TABLE audit_records (
  id TEXT PRIMARY KEY,
  -- The source event id is unique: a redelivered event (at-least-once bus) is recorded once.
  source_event_id TEXT NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  source_module TEXT NOT NULL,
  subject_user_id TEXT,
  actor_user_id TEXT,
  summary TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  occurred_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX audit_records_subject ON audit_records (subject_user_id, occurred_at DESC);
CREATE INDEX audit_records_occurred ON audit_records (occurred_at DESC, id DESC);
