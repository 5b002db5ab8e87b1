CREATE TABLE "runtime_instances" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"started_at" bigint NOT NULL,
	"heartbeat_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "instance_id" text;--> statement-breakpoint
ALTER TABLE "usage_holds" ADD COLUMN "instance_id" text;--> statement-breakpoint
CREATE INDEX "runs_status" ON "runs" USING btree ("status","instance_id");