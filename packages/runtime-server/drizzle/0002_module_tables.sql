-- The module tables existed before as CREATE TABLE IF NOT EXISTS text run by the module host;
-- IF NOT EXISTS keeps this migration valid on those databases.
CREATE TABLE IF NOT EXISTS `module_deliveries` (
	`event_id` text NOT NULL,
	`reaction_id` text NOT NULL,
	`module_id` text NOT NULL,
	`handler_method` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text NOT NULL,
	`last_error` text,
	`delivered_at` text,
	PRIMARY KEY(`event_id`, `reaction_id`),
	FOREIGN KEY (`event_id`) REFERENCES `module_events`(`event_id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "module_deliveries_status" CHECK("module_deliveries"."status" IN ('pending', 'delivered', 'dead'))
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `module_deliveries_due` ON `module_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `module_delivery_failures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`reaction_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`error` text NOT NULL,
	`failed_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `module_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`module_id` text NOT NULL,
	`actor_user_id` text,
	`payload` text NOT NULL,
	`occurred_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS `module_events_event_id_unique` ON `module_events` (`event_id`);--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `module_migrations` (
	`module_id` text NOT NULL,
	`name` text NOT NULL,
	`checksum` text NOT NULL,
	`applied_at` text NOT NULL,
	PRIMARY KEY(`module_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `runtime_versions` (
	`key` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `entitlements` ADD `revision` integer DEFAULT 0 NOT NULL;