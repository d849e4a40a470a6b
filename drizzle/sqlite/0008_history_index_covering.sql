DROP INDEX `deployment_changes_by_file`;--> statement-breakpoint
CREATE INDEX `deployment_changes_by_file` ON `deployment_changes` (`tenant_environment_id`,`file`,`sequence`,`level`,`path`,`deployment_id`);--> statement-breakpoint
CREATE INDEX `indexed_commits_merges` ON `indexed_commits` (`project_id`,`merge`,`sequence`);