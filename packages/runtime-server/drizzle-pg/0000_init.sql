CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"created_at" bigint NOT NULL,
	"event_type" text NOT NULL,
	"result" text NOT NULL,
	"app_id" text NOT NULL,
	"user_id" text,
	"subject" text,
	"request_id" text,
	"details" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "entitlements" (
	"scope" text NOT NULL,
	"subject_id" text NOT NULL,
	"manifest" text NOT NULL,
	"source" text NOT NULL,
	"synced_at" bigint NOT NULL,
	"revision" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "entitlements_scope_subject_id_pk" PRIMARY KEY("scope","subject_id")
);
--> statement-breakpoint
CREATE TABLE "module_deliveries" (
	"event_id" text NOT NULL,
	"reaction_id" text NOT NULL,
	"module_id" text NOT NULL,
	"handler_method" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" text NOT NULL,
	"last_error" text,
	"delivered_at" text,
	CONSTRAINT "module_deliveries_event_id_reaction_id_pk" PRIMARY KEY("event_id","reaction_id"),
	CONSTRAINT "module_deliveries_status" CHECK ("module_deliveries"."status" IN ('pending', 'delivered', 'dead'))
);
--> statement-breakpoint
CREATE TABLE "module_delivery_failures" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"reaction_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"error" text NOT NULL,
	"failed_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "module_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"event_type" text NOT NULL,
	"module_id" text NOT NULL,
	"actor_user_id" text,
	"payload" text NOT NULL,
	"occurred_at" text NOT NULL,
	CONSTRAINT "module_events_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "module_migrations" (
	"module_id" text NOT NULL,
	"name" text NOT NULL,
	"checksum" text NOT NULL,
	"applied_at" text NOT NULL,
	CONSTRAINT "module_migrations_module_id_name_pk" PRIMARY KEY("module_id","name")
);
--> statement-breakpoint
CREATE TABLE "run_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"kind" text NOT NULL,
	"payload" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"run_id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"user_id" text NOT NULL,
	"workflow_id" text NOT NULL,
	"status" text NOT NULL,
	"scope" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runtime_versions" (
	"key" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_baselines" (
	"scope" text NOT NULL,
	"subject_id" text NOT NULL,
	"metric" text NOT NULL,
	"period_start" bigint NOT NULL,
	"used" bigint NOT NULL,
	CONSTRAINT "usage_baselines_scope_subject_id_metric_period_start_pk" PRIMARY KEY("scope","subject_id","metric","period_start")
);
--> statement-breakpoint
CREATE TABLE "usage_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"user_id" text NOT NULL,
	"metric" text NOT NULL,
	"amount" bigint NOT NULL,
	"occurred_at" bigint NOT NULL,
	"kind" text NOT NULL,
	"workflow_id" text,
	"run_id" text,
	"model" text,
	"input_tokens" bigint,
	"output_tokens" bigint,
	"batch_id" text,
	"recorded_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "module_deliveries" ADD CONSTRAINT "module_deliveries_event_id_module_events_event_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."module_events"("event_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_time" ON "audit_events" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "audit_events_type" ON "audit_events" USING btree ("event_type");--> statement-breakpoint
CREATE INDEX "module_deliveries_due" ON "module_deliveries" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "run_events_run" ON "run_events" USING btree ("run_id","id");--> statement-breakpoint
CREATE INDEX "usage_events_user_metric_time" ON "usage_events" USING btree ("user_id","metric","occurred_at");--> statement-breakpoint
CREATE INDEX "usage_events_metric_time" ON "usage_events" USING btree ("metric","occurred_at");