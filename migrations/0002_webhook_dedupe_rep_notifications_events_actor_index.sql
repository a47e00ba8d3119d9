CREATE TABLE `channel_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`connection_id` integer NOT NULL,
	`update_id` text NOT NULL,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`connection_id`) REFERENCES `channel_connections`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `channel_updates_connection_update_uq` ON `channel_updates` (`connection_id`,`update_id`);--> statement-breakpoint
CREATE TABLE `chat_notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`platform_key` text NOT NULL,
	`connection_id` integer,
	`purpose_key` text DEFAULT 'notification' NOT NULL,
	`chat_id` text NOT NULL,
	`chat_message_id` text,
	`conversation_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`connection_id`) REFERENCES `channel_connections`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "chat_notifications_platform_ck" CHECK("chat_notifications"."platform_key" IN ('telegram', 'discord')),
	CONSTRAINT "chat_notifications_purpose_ck" CHECK("chat_notifications"."purpose_key" IN ('notification', 'reply_prompt')),
	CONSTRAINT "chat_notifications_telegram_bot_ck" CHECK("chat_notifications"."platform_key" <> 'telegram' OR "chat_notifications"."connection_id" IS NOT NULL)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_notifications_once_uq` ON `chat_notifications` (`message_id`,`user_id`,`platform_key`) WHERE "chat_notifications"."purpose_key" = 'notification';--> statement-breakpoint
CREATE UNIQUE INDEX `chat_notifications_chat_message_uq` ON `chat_notifications` (`platform_key`,`connection_id`,`chat_id`,`chat_message_id`);--> statement-breakpoint
CREATE INDEX `events_actor_type_time_idx` ON `events` (`workspace_id`,`actor_user_id`,`type_key`,`created_at`);