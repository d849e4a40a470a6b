ALTER TABLE `api_tokens` ADD `project_id` text REFERENCES projects(id);--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` integer;--> statement-breakpoint
CREATE INDEX `api_tokens_project` ON `api_tokens` (`project_id`);