CREATE TABLE `runtime_instances` (
	`instance_id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `runs` ADD `instance_id` text;--> statement-breakpoint
CREATE INDEX `runs_status` ON `runs` (`status`,`instance_id`);--> statement-breakpoint
ALTER TABLE `usage_holds` ADD `instance_id` text;