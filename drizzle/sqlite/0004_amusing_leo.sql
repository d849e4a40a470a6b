CREATE TABLE `change_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`tenant_environment_id` text NOT NULL,
	`kind` text NOT NULL,
	`description` text,
	`payload` text NOT NULL,
	`affected_services` text NOT NULL,
	`environment_wide` integer NOT NULL,
	`base_sha` text,
	`state` text NOT NULL,
	`requested_by_id` text NOT NULL,
	`break_glass_session_id` text,
	`required_approvals` integer NOT NULL,
	`approval_required` integer NOT NULL,
	`result_sha` text,
	`error` text,
	`error_code` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	`approved_at` integer,
	`rejected_at` integer,
	`executing_at` integer,
	`completed_at` integer,
	`failed_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tenant_environment_id`) REFERENCES `tenant_environments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`break_glass_session_id`) REFERENCES `break_glass_sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `change_requests_te_state` ON `change_requests` (`tenant_environment_id`,`state`);--> statement-breakpoint
CREATE INDEX `change_requests_project_state` ON `change_requests` (`project_id`,`state`);--> statement-breakpoint
CREATE TABLE `change_reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`reviewer_id` text NOT NULL,
	`decision` text NOT NULL,
	`comment` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `change_requests`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `change_reviews_once` ON `change_reviews` (`request_id`,`reviewer_id`);--> statement-breakpoint
CREATE TABLE `deployment_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`deployment_id` text NOT NULL,
	`author_id` text NOT NULL,
	`note` text NOT NULL,
	`root_cause` text,
	`corrective_actions` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `deployment_notes_deployment` ON `deployment_notes` (`deployment_id`);--> statement-breakpoint
CREATE TABLE `deployment_reversions` (
	`deployment_id` text NOT NULL,
	`rollback_request_id` text NOT NULL,
	`services` text NOT NULL,
	`whole` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`deployment_id`, `rollback_request_id`),
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`rollback_request_id`) REFERENCES `rollback_requests`(`id`) ON UPDATE no action ON DELETE no action
);
