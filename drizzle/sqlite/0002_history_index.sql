CREATE TABLE `deployment_changes` (
	`deployment_id` text NOT NULL,
	`tenant_environment_id` text NOT NULL,
	`sequence` integer NOT NULL,
	`file` text NOT NULL,
	`level` text NOT NULL,
	`path` text NOT NULL,
	PRIMARY KEY(`deployment_id`, `file`, `level`, `path`),
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tenant_environment_id`) REFERENCES `tenant_environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `deployment_changes_by_file` ON `deployment_changes` (`tenant_environment_id`,`file`,`sequence`);--> statement-breakpoint
CREATE TABLE `indexed_commits` (
	`project_id` text NOT NULL,
	`sha` text NOT NULL,
	`sequence` integer NOT NULL,
	`merge` integer NOT NULL,
	PRIMARY KEY(`project_id`, `sha`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `indexed_commits_sequence` ON `indexed_commits` (`project_id`,`sequence`);