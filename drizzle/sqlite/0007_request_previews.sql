CREATE TABLE `rollback_request_previews` (
	`request_id` text PRIMARY KEY NOT NULL,
	`changes` text NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `rollback_requests`(`id`) ON UPDATE no action ON DELETE no action
);
