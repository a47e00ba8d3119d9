CREATE TABLE `email_outbound_ids` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`connection_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`delivery_id` integer,
	`header_id` text NOT NULL,
	`recipient` text NOT NULL,
	`references` text DEFAULT '' NOT NULL,
	`subject` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`connection_id`) REFERENCES `channel_connections`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`message_id`) REFERENCES `messages`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `email_outbound_ids_message_idx` ON `email_outbound_ids` (`workspace_id`,`message_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `email_outbound_ids_connection_header_uq` ON `email_outbound_ids` (`connection_id`,`header_id`);--> statement-breakpoint
ALTER TABLE `contacts` ADD `unverified_reason` text;