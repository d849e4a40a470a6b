CREATE TABLE `archived_services` (
	`tenant_environment_id` text NOT NULL,
	`service` text NOT NULL,
	`archived_at` integer NOT NULL,
	PRIMARY KEY(`tenant_environment_id`, `service`),
	FOREIGN KEY (`tenant_environment_id`) REFERENCES `tenant_environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `environments` ADD `archived_at` integer;--> statement-breakpoint
ALTER TABLE `organizations` ADD `archived_at` integer;--> statement-breakpoint
ALTER TABLE `projects` ADD `archived_at` integer;--> statement-breakpoint
ALTER TABLE `tenant_environments` ADD `archived_at` integer;--> statement-breakpoint
ALTER TABLE `tenants` ADD `archived_at` integer;