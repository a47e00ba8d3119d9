DROP INDEX `deliveries_provider_idx`;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `connection_id` integer REFERENCES channel_connections(id);--> statement-breakpoint
CREATE INDEX `deliveries_connection_provider_idx` ON `deliveries` (`connection_id`,`provider_message_id`);--> statement-breakpoint
DROP INDEX `messages_ws_channel_external_uq`;--> statement-breakpoint
ALTER TABLE `messages` ADD `connection_id` integer REFERENCES channel_connections(id);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_connection_external_uq` ON `messages` (`workspace_id`,`channel_key`,(CASE WHEN "connection_id" IS NULL THEN 0 ELSE "connection_id" END),`external_id`);--> statement-breakpoint
ALTER TABLE `contact_identities` ADD `connection_id` integer REFERENCES channel_connections(id);--> statement-breakpoint
ALTER TABLE `contact_identities` ADD `opted_out_at` integer;--> statement-breakpoint
ALTER TABLE `contact_identities` ADD `opt_out_reason` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `connection_id` integer REFERENCES channel_connections(id);--> statement-breakpoint
ALTER TABLE `conversations` ADD `last_connection_id` integer REFERENCES channel_connections(id);