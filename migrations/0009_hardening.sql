CREATE TABLE `queue_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`body_json` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `queue_outbox_created_idx` ON `queue_outbox` (`created_at`);--> statement-breakpoint
ALTER TABLE `deliveries` ADD `lease_id` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `lease_until` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `sent_parts_json` text;--> statement-breakpoint
ALTER TABLE `idempotency_keys` ADD `response_iv` text;--> statement-breakpoint
ALTER TABLE `users` ADD `deactivated_at` integer;--> statement-breakpoint
CREATE INDEX `channel_updates_received_idx` ON `channel_updates` (`received_at`);--> statement-breakpoint
CREATE INDEX `chat_link_codes_expires_idx` ON `chat_link_codes` (`expires_at`);