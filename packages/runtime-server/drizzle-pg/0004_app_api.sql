CREATE TABLE "check_decisions" (
	"user_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" text NOT NULL,
	"decision" text,
	"created_at" bigint NOT NULL,
	CONSTRAINT "check_decisions_user_id_idempotency_key_pk" PRIMARY KEY("user_id","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "usage_event_properties" (
	"event_id" text PRIMARY KEY NOT NULL,
	"properties" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "usage_events_user_metric_time" ON "usage_events" USING btree ("user_id","metric","occurred_at");