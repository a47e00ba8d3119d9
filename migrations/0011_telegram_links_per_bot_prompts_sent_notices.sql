CREATE TABLE `chat_prompts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`platform_key` text NOT NULL,
	`connection_id` integer,
	`chat_id` text NOT NULL,
	`chat_message_id` text,
	`action_key` text NOT NULL,
	`args_json` text DEFAULT '[]' NOT NULL,
	`expires_at` integer NOT NULL,
	`closed_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "chat_prompts_platform_ck" CHECK("chat_prompts"."platform_key" IN ('telegram', 'discord'))
);
--> statement-breakpoint
CREATE INDEX `chat_prompts_chat_idx` ON `chat_prompts` (`platform_key`,`connection_id`,`chat_id`,`user_id`,`id`);--> statement-breakpoint
CREATE TABLE `chat_sent_notices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`platform_key` text NOT NULL,
	`connection_id` integer,
	`chat_id` text NOT NULL,
	`chat_message_id` text NOT NULL,
	`message_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "chat_sent_notices_platform_ck" CHECK("chat_sent_notices"."platform_key" IN ('telegram', 'discord'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_sent_notices_message_uq` ON `chat_sent_notices` (`message_id`,`user_id`,`platform_key`);--> statement-breakpoint
DROP INDEX `chat_links_platform_external_uq`;--> statement-breakpoint
ALTER TABLE `chat_links` ADD `connection_id` integer;--> statement-breakpoint
ALTER TABLE `chat_links` ADD `muted_until` integer;--> statement-breakpoint
ALTER TABLE `chat_links` ADD `only_mine` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `chat_links_connection_external_uq` ON `chat_links` (`platform_key`,`connection_id`,`external_user_id`);--> statement-breakpoint
CREATE INDEX `chat_links_external_idx` ON `chat_links` (`platform_key`,`external_user_id`);