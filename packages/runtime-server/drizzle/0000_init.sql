CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` integer NOT NULL,
	`event_type` text NOT NULL,
	`result` text NOT NULL,
	`app_id` text NOT NULL,
	`user_id` text,
	`subject` text,
	`request_id` text,
	`details` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_events_time` ON `audit_events` (`created_at`);--> statement-breakpoint
CREATE INDEX `audit_events_type` ON `audit_events` (`event_type`);--> statement-breakpoint
CREATE TABLE `entitlements` (
	`scope` text NOT NULL,
	`subject_id` text NOT NULL,
	`manifest` text NOT NULL,
	`source` text NOT NULL,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `subject_id`)
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`run_id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`user_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`status` text NOT NULL,
	`scope` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `usage_baselines` (
	`scope` text NOT NULL,
	`subject_id` text NOT NULL,
	`metric` text NOT NULL,
	`period_start` integer NOT NULL,
	`used` integer NOT NULL,
	PRIMARY KEY(`scope`, `subject_id`, `metric`, `period_start`)
);
--> statement-breakpoint
CREATE TABLE `usage_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`user_id` text NOT NULL,
	`metric` text NOT NULL,
	`amount` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`kind` text NOT NULL,
	`workflow_id` text,
	`run_id` text,
	`model` text,
	`input_tokens` integer,
	`output_tokens` integer,
	`batch_id` text,
	`recorded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_events_user_metric_time` ON `usage_events` (`user_id`,`metric`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `usage_events_metric_time` ON `usage_events` (`metric`,`occurred_at`);