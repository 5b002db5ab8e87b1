CREATE TABLE `usage_counters` (
	`subject_scope` text NOT NULL,
	`subject_id` text NOT NULL,
	`metric` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`used` integer DEFAULT 0 NOT NULL,
	`floor` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`subject_scope`, `subject_id`, `metric`, `period_start`, `period_end`)
);
--> statement-breakpoint
CREATE TABLE `usage_holds` (
	`run_id` text PRIMARY KEY NOT NULL,
	`subject_scope` text NOT NULL,
	`subject_id` text NOT NULL,
	`metric` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`held` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
DROP INDEX `usage_events_user_metric_time`;--> statement-breakpoint
DROP INDEX `usage_events_metric_time`;--> statement-breakpoint
ALTER TABLE `usage_events` ADD `subject_scope` text;--> statement-breakpoint
ALTER TABLE `usage_events` ADD `subject_id` text;--> statement-breakpoint
ALTER TABLE `usage_events` ADD `period_start` integer;--> statement-breakpoint
ALTER TABLE `usage_events` ADD `period_end` integer;--> statement-breakpoint
-- Rows recorded before counters existed get the counter they count in, by the rules of that time:
-- the subject is the user when they have a user-scoped manifest, else the app; the window comes
-- from the id suffix (*_daily / *_per_day → UTC day, *_per_workflow / *_per_run → none, else UTC
-- month). Run summaries are not counted.
UPDATE `usage_events` SET
	`subject_scope` = CASE WHEN EXISTS (SELECT 1 FROM `entitlements` e WHERE e.`scope` = 'user' AND e.`subject_id` = `usage_events`.`user_id`) THEN 'user' ELSE 'app' END,
	`subject_id` = CASE WHEN EXISTS (SELECT 1 FROM `entitlements` e WHERE e.`scope` = 'user' AND e.`subject_id` = `usage_events`.`user_id`) THEN `user_id` ELSE `app_id` END,
	`period_start` = CASE WHEN `metric` LIKE '%\_daily' ESCAPE '\' OR `metric` LIKE '%\_per\_day' ESCAPE '\'
		THEN (`occurred_at` / 86400000) * 86400000
		ELSE CAST(strftime('%s', `occurred_at` / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000 END,
	`period_end` = CASE WHEN `metric` LIKE '%\_daily' ESCAPE '\' OR `metric` LIKE '%\_per\_day' ESCAPE '\'
		THEN (`occurred_at` / 86400000) * 86400000 + 86400000
		ELSE CAST(strftime('%s', `occurred_at` / 1000, 'unixepoch', 'start of month', '+1 month') AS INTEGER) * 1000 END
WHERE `metric` <> 'summary.total_tokens'
	AND `metric` NOT LIKE '%\_per\_workflow' ESCAPE '\' AND `metric` NOT LIKE '%\_per\_run' ESCAPE '\';
--> statement-breakpoint
INSERT INTO `usage_counters` (`subject_scope`, `subject_id`, `metric`, `period_start`, `period_end`, `used`, `floor`, `updated_at`)
SELECT `subject_scope`, `subject_id`, `metric`, `period_start`, `period_end`, sum(`amount`), 0, max(`recorded_at`)
FROM `usage_events` WHERE `subject_scope` IS NOT NULL
GROUP BY `subject_scope`, `subject_id`, `metric`, `period_start`, `period_end`;
--> statement-breakpoint
-- v1.1 floors move into their counter (the same window rule).
INSERT INTO `usage_counters` (`subject_scope`, `subject_id`, `metric`, `period_start`, `period_end`, `used`, `floor`, `updated_at`)
SELECT `scope`, `subject_id`, `metric`, `period_start`,
	CASE WHEN `metric` LIKE '%\_daily' ESCAPE '\' OR `metric` LIKE '%\_per\_day' ESCAPE '\'
		THEN `period_start` + 86400000
		ELSE CAST(strftime('%s', `period_start` / 1000, 'unixepoch', '+1 month') AS INTEGER) * 1000 END,
	0, `used`, 0
FROM `usage_baselines` WHERE true
ON CONFLICT (`subject_scope`, `subject_id`, `metric`, `period_start`, `period_end`) DO UPDATE SET `floor` = excluded.`floor`;
--> statement-breakpoint
DROP TABLE `usage_baselines`;
