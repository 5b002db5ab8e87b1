CREATE TABLE "usage_counters" (
	"subject_scope" text NOT NULL,
	"subject_id" text NOT NULL,
	"metric" text NOT NULL,
	"period_start" bigint NOT NULL,
	"period_end" bigint NOT NULL,
	"used" bigint DEFAULT 0 NOT NULL,
	"floor" bigint DEFAULT 0 NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "usage_counters_subject_scope_subject_id_metric_period_start_period_end_pk" PRIMARY KEY("subject_scope","subject_id","metric","period_start","period_end")
);
--> statement-breakpoint
CREATE TABLE "usage_holds" (
	"run_id" text PRIMARY KEY NOT NULL,
	"subject_scope" text NOT NULL,
	"subject_id" text NOT NULL,
	"metric" text NOT NULL,
	"period_start" bigint NOT NULL,
	"period_end" bigint NOT NULL,
	"held" bigint NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
DROP INDEX "usage_events_user_metric_time";--> statement-breakpoint
DROP INDEX "usage_events_metric_time";--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "subject_scope" text;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "subject_id" text;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "period_start" bigint;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "period_end" bigint;--> statement-breakpoint
-- Rows recorded before counters existed get the counter they count in, by the rules of that time
-- (the same as the SQLite migration 0003_usage_counters): the subject is the user when they have a
-- user-scoped manifest, else the app; the window comes from the id suffix (*_daily / *_per_day →
-- UTC day, *_per_workflow / *_per_run → none, else UTC month). Run summaries are not counted.
UPDATE "usage_events" SET
	"subject_scope" = CASE WHEN EXISTS (SELECT 1 FROM "entitlements" e WHERE e."scope" = 'user' AND e."subject_id" = "usage_events"."user_id") THEN 'user' ELSE 'app' END,
	"subject_id" = CASE WHEN EXISTS (SELECT 1 FROM "entitlements" e WHERE e."scope" = 'user' AND e."subject_id" = "usage_events"."user_id") THEN "user_id" ELSE "app_id" END,
	"period_start" = CASE WHEN "metric" LIKE '%\_daily' ESCAPE '\' OR "metric" LIKE '%\_per\_day' ESCAPE '\'
		THEN ("occurred_at" / 86400000) * 86400000
		ELSE (extract(epoch FROM date_trunc('month', to_timestamp("occurred_at" / 1000.0) AT TIME ZONE 'UTC')) * 1000)::bigint END,
	"period_end" = CASE WHEN "metric" LIKE '%\_daily' ESCAPE '\' OR "metric" LIKE '%\_per\_day' ESCAPE '\'
		THEN ("occurred_at" / 86400000) * 86400000 + 86400000
		ELSE (extract(epoch FROM date_trunc('month', to_timestamp("occurred_at" / 1000.0) AT TIME ZONE 'UTC') + interval '1 month') * 1000)::bigint END
WHERE "metric" <> 'summary.total_tokens'
	AND "metric" NOT LIKE '%\_per\_workflow' ESCAPE '\' AND "metric" NOT LIKE '%\_per\_run' ESCAPE '\';
--> statement-breakpoint
INSERT INTO "usage_counters" ("subject_scope", "subject_id", "metric", "period_start", "period_end", "used", "floor", "updated_at")
SELECT "subject_scope", "subject_id", "metric", "period_start", "period_end", sum("amount"), 0, max("recorded_at")
FROM "usage_events" WHERE "subject_scope" IS NOT NULL
GROUP BY "subject_scope", "subject_id", "metric", "period_start", "period_end";
--> statement-breakpoint
-- v1.1 floors move into their counter (the same window rule).
INSERT INTO "usage_counters" ("subject_scope", "subject_id", "metric", "period_start", "period_end", "used", "floor", "updated_at")
SELECT "scope", "subject_id", "metric", "period_start",
	CASE WHEN "metric" LIKE '%\_daily' ESCAPE '\' OR "metric" LIKE '%\_per\_day' ESCAPE '\'
		THEN "period_start" + 86400000
		ELSE (extract(epoch FROM to_timestamp("period_start" / 1000.0) AT TIME ZONE 'UTC' + interval '1 month') * 1000)::bigint END,
	0, "used", 0
FROM "usage_baselines"
ON CONFLICT ("subject_scope", "subject_id", "metric", "period_start", "period_end") DO UPDATE SET "floor" = excluded."floor";
--> statement-breakpoint
DROP TABLE "usage_baselines";
