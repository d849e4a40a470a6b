CREATE TABLE "rollback_request_previews" (
	"request_id" text PRIMARY KEY NOT NULL,
	"changes" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rollback_request_previews" ADD CONSTRAINT "rollback_request_previews_request_id_rollback_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."rollback_requests"("id") ON DELETE no action ON UPDATE no action;