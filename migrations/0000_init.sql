CREATE TABLE `channel_connections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`channel_key` text NOT NULL,
	`name` text NOT NULL,
	`credentials_ciphertext` text NOT NULL,
	`credentials_iv` text NOT NULL,
	`config_json` text DEFAULT '{}' NOT NULL,
	`external_account_id` text,
	`disabled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "channel_connections_channel_ck" CHECK("channel_connections"."channel_key" IN ('telegram', 'whatsapp', 'sms', 'email', 'discord'))
);
--> statement-breakpoint
CREATE INDEX `channel_connections_ws_channel_idx` ON `channel_connections` (`workspace_id`,`channel_key`);--> statement-breakpoint
CREATE INDEX `channel_connections_external_idx` ON `channel_connections` (`channel_key`,`external_account_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `channel_connections_ws_id_uq` ON `channel_connections` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `contact_identities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`contact_id` integer NOT NULL,
	`channel_key` text NOT NULL,
	`external_id` text NOT NULL,
	`handle` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`contact_id`) REFERENCES `contacts`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "contact_identities_channel_ck" CHECK("contact_identities"."channel_key" IN ('email', 'sms', 'whatsapp', 'telegram', 'discord'))
);
--> statement-breakpoint
CREATE INDEX `contact_identities_contact_idx` ON `contact_identities` (`workspace_id`,`contact_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `contact_identities_ws_channel_external_uq` ON `contact_identities` (`workspace_id`,`channel_key`,`external_id`);--> statement-breakpoint
CREATE TABLE `contact_pins` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`contact_id` integer NOT NULL,
	`slot` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`contact_id`) REFERENCES `contacts`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "contact_pins_slot_ck" CHECK("contact_pins"."slot" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE INDEX `contact_pins_contact_idx` ON `contact_pins` (`workspace_id`,`contact_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `contact_pins_user_slot_uq` ON `contact_pins` (`user_id`,`slot`);--> statement-breakpoint
CREATE UNIQUE INDEX `contact_pins_user_contact_uq` ON `contact_pins` (`user_id`,`contact_id`);--> statement-breakpoint
CREATE TABLE `contact_qualifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer,
	`contact_id` integer NOT NULL,
	`source_key` text NOT NULL,
	`kind_key` text,
	`score` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`contact_id`) REFERENCES `contacts`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`kind_key`) REFERENCES `qualification_kinds`(`workspace_id`,`key`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "contact_qualifications_source_ck" CHECK("contact_qualifications"."source_key" IN ('user', 'ai')),
	CONSTRAINT "contact_qualifications_user_source_ck" CHECK(("contact_qualifications"."source_key" = 'user') = ("contact_qualifications"."user_id" IS NOT NULL)),
	CONSTRAINT "contact_qualifications_clear_ck" CHECK("contact_qualifications"."kind_key" IS NOT NULL OR "contact_qualifications"."source_key" = 'user'),
	CONSTRAINT "contact_qualifications_score_ck" CHECK("contact_qualifications"."score" IS NULL OR "contact_qualifications"."score" BETWEEN 0 AND 100)
);
--> statement-breakpoint
CREATE INDEX `contact_qualifications_contact_idx` ON `contact_qualifications` (`workspace_id`,`contact_id`,`source_key`,`id`);--> statement-breakpoint
CREATE TABLE `contact_scores` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer,
	`contact_id` integer NOT NULL,
	`source_key` text NOT NULL,
	`value` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`contact_id`) REFERENCES `contacts`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "contact_scores_value_ck" CHECK("contact_scores"."value" BETWEEN 1 AND 5),
	CONSTRAINT "contact_scores_source_ck" CHECK("contact_scores"."source_key" IN ('user', 'ai')),
	CONSTRAINT "contact_scores_user_source_ck" CHECK(("contact_scores"."source_key" = 'user') = ("contact_scores"."user_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX `contact_scores_contact_idx` ON `contact_scores` (`workspace_id`,`contact_id`,`source_key`,`id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`name` text NOT NULL,
	`company` text,
	`segment` text,
	`role` text,
	`phone` text,
	`email` text,
	`city` text,
	`state` text,
	`score` integer,
	`qualification` text,
	`merged_into_id` integer,
	`merged_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`merged_into_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "contacts_score_ck" CHECK("contacts"."score" IS NULL OR "contacts"."score" BETWEEN 1 AND 5),
	CONSTRAINT "contacts_not_self_merged_ck" CHECK("contacts"."merged_into_id" IS NULL OR "contacts"."merged_into_id" <> "contacts"."id")
);
--> statement-breakpoint
CREATE INDEX `contacts_ws_name_idx` ON `contacts` (`workspace_id`,`name`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_ws_created_idx` ON `contacts` (`workspace_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_ws_updated_idx` ON `contacts` (`workspace_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_ws_phone_idx` ON `contacts` (`workspace_id`,`phone`);--> statement-breakpoint
CREATE INDEX `contacts_ws_email_idx` ON `contacts` (`workspace_id`,`email`);--> statement-breakpoint
CREATE INDEX `contacts_ws_segment_city_idx` ON `contacts` (`workspace_id`,`segment`,`city`,`name`);--> statement-breakpoint
CREATE INDEX `contacts_ws_company_idx` ON `contacts` (`workspace_id`,`company`,`name`);--> statement-breakpoint
CREATE INDEX `contacts_ws_state_idx` ON `contacts` (`workspace_id`,`state`,`name`);--> statement-breakpoint
CREATE INDEX `contacts_ws_score_idx` ON `contacts` (`workspace_id`,`score`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_ws_qualification_idx` ON `contacts` (`workspace_id`,`qualification`,`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_ws_id_uq` ON `contacts` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `qualification_kinds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`key` text NOT NULL,
	`label` text NOT NULL,
	`sort_index` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "qualification_kinds_key_ck" CHECK("qualification_kinds"."key" GLOB '[a-z]*' AND "qualification_kinds"."key" NOT GLOB '*[^a-z0-9_]*')
);
--> statement-breakpoint
CREATE UNIQUE INDEX `qualification_kinds_ws_key_uq` ON `qualification_kinds` (`workspace_id`,`key`);--> statement-breakpoint
CREATE TABLE `calls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`conversation_id` integer NOT NULL,
	`started_by_user_id` integer,
	`started_by_contact_id` integer,
	`channel_key` text NOT NULL,
	`kind_key` text NOT NULL,
	`status_key` text DEFAULT 'initiated' NOT NULL,
	`external_id` text,
	`started_at` integer NOT NULL,
	`connected_at` integer,
	`ended_at` integer,
	`payload_json` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`conversation_id`) REFERENCES `conversations`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`started_by_user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`started_by_contact_id`) REFERENCES `contacts`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "calls_channel_ck" CHECK("calls"."channel_key" IN ('internal', 'whatsapp', 'telegram', 'phone')),
	CONSTRAINT "calls_kind_ck" CHECK("calls"."kind_key" IN ('voice', 'video')),
	CONSTRAINT "calls_status_ck" CHECK("calls"."status_key" IN ('initiated', 'ringing', 'connected', 'ended', 'missed', 'failed')),
	CONSTRAINT "calls_starter_ck" CHECK("calls"."started_by_user_id" IS NULL OR "calls"."started_by_contact_id" IS NULL),
	CONSTRAINT "calls_times_ck" CHECK("calls"."ended_at" IS NULL OR "calls"."ended_at" >= "calls"."started_at")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calls_ws_channel_external_uq` ON `calls` (`workspace_id`,`channel_key`,`external_id`);--> statement-breakpoint
CREATE INDEX `calls_conversation_idx` ON `calls` (`workspace_id`,`conversation_id`,`id`);--> statement-breakpoint
CREATE INDEX `calls_ws_user_idx` ON `calls` (`workspace_id`,`started_by_user_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `conversation_participants` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`conversation_id` integer NOT NULL,
	`actor_kind_key` text NOT NULL,
	`user_id` integer,
	`contact_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`conversation_id`) REFERENCES `conversations`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`contact_id`) REFERENCES `contacts`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "conversation_participants_kind_ck" CHECK("conversation_participants"."actor_kind_key" IN ('user', 'contact')),
	CONSTRAINT "conversation_participants_actor_ck" CHECK(("conversation_participants"."actor_kind_key" = 'user' AND "conversation_participants"."user_id" IS NOT NULL AND "conversation_participants"."contact_id" IS NULL) OR ("conversation_participants"."actor_kind_key" = 'contact' AND "conversation_participants"."contact_id" IS NOT NULL AND "conversation_participants"."user_id" IS NULL))
);
--> statement-breakpoint
CREATE INDEX `conversation_participants_user_idx` ON `conversation_participants` (`workspace_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `conversation_participants_contact_idx` ON `conversation_participants` (`workspace_id`,`contact_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `conversation_participants_user_uq` ON `conversation_participants` (`conversation_id`,`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `conversation_participants_contact_uq` ON `conversation_participants` (`conversation_id`,`contact_id`);--> statement-breakpoint
CREATE TABLE `conversation_qualifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer,
	`conversation_id` integer NOT NULL,
	`source_key` text NOT NULL,
	`kind_key` text,
	`score` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`conversation_id`) REFERENCES `conversations`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`kind_key`) REFERENCES `qualification_kinds`(`workspace_id`,`key`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "conversation_qualifications_source_ck" CHECK("conversation_qualifications"."source_key" IN ('user', 'ai')),
	CONSTRAINT "conversation_qualifications_user_source_ck" CHECK(("conversation_qualifications"."source_key" = 'user') = ("conversation_qualifications"."user_id" IS NOT NULL)),
	CONSTRAINT "conversation_qualifications_clear_ck" CHECK("conversation_qualifications"."kind_key" IS NOT NULL OR "conversation_qualifications"."source_key" = 'user'),
	CONSTRAINT "conversation_qualifications_score_ck" CHECK("conversation_qualifications"."score" IS NULL OR "conversation_qualifications"."score" BETWEEN 0 AND 100)
);
--> statement-breakpoint
CREATE INDEX `conversation_qualifications_conversation_idx` ON `conversation_qualifications` (`workspace_id`,`conversation_id`,`source_key`,`id`);--> statement-breakpoint
CREATE TABLE `conversation_scores` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer,
	`conversation_id` integer NOT NULL,
	`source_key` text NOT NULL,
	`value` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`conversation_id`) REFERENCES `conversations`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "conversation_scores_value_ck" CHECK("conversation_scores"."value" BETWEEN 1 AND 5),
	CONSTRAINT "conversation_scores_source_ck" CHECK("conversation_scores"."source_key" IN ('user', 'ai')),
	CONSTRAINT "conversation_scores_user_source_ck" CHECK(("conversation_scores"."source_key" = 'user') = ("conversation_scores"."user_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX `conversation_scores_conversation_idx` ON `conversation_scores` (`workspace_id`,`conversation_id`,`source_key`,`id`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`kind_key` text NOT NULL,
	`status_key` text DEFAULT 'open' NOT NULL,
	`contact_id` integer,
	`direct_key` text,
	`last_channel_key` text,
	`last_message_at` integer,
	`score` integer,
	`qualification` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`contact_id`) REFERENCES `contacts`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "conversations_kind_ck" CHECK("conversations"."kind_key" IN ('contact', 'direct')),
	CONSTRAINT "conversations_status_ck" CHECK("conversations"."status_key" IN ('open', 'pending', 'closed')),
	CONSTRAINT "conversations_last_channel_ck" CHECK("conversations"."last_channel_key" IS NULL OR "conversations"."last_channel_key" IN ('internal', 'email', 'sms', 'whatsapp', 'telegram', 'discord')),
	CONSTRAINT "conversations_kind_shape_ck" CHECK(("conversations"."kind_key" = 'contact' AND "conversations"."contact_id" IS NOT NULL AND "conversations"."direct_key" IS NULL) OR ("conversations"."kind_key" = 'direct' AND "conversations"."contact_id" IS NULL AND "conversations"."direct_key" IS NOT NULL)),
	CONSTRAINT "conversations_score_ck" CHECK("conversations"."score" IS NULL OR "conversations"."score" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_ws_direct_uq` ON `conversations` (`workspace_id`,`direct_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_contact_active_uq` ON `conversations` (`workspace_id`,`contact_id`) WHERE "conversations"."contact_id" IS NOT NULL AND "conversations"."status_key" <> 'closed';--> statement-breakpoint
CREATE INDEX `conversations_ws_activity_idx` ON `conversations` (`workspace_id`,`last_message_at`,`id`);--> statement-breakpoint
CREATE INDEX `conversations_ws_contact_idx` ON `conversations` (`workspace_id`,`contact_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_ws_id_uq` ON `conversations` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`channel_key` text NOT NULL,
	`status_key` text DEFAULT 'queued' NOT NULL,
	`attempt` integer DEFAULT 1 NOT NULL,
	`provider_message_id` text,
	`error_code` text,
	`error_message` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`message_id`) REFERENCES `messages`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "deliveries_status_ck" CHECK("deliveries"."status_key" IN ('queued', 'sent', 'delivered', 'read', 'failed')),
	CONSTRAINT "deliveries_channel_ck" CHECK("deliveries"."channel_key" IN ('internal', 'email', 'sms', 'whatsapp', 'telegram', 'discord')),
	CONSTRAINT "deliveries_attempt_ck" CHECK("deliveries"."attempt" >= 1)
);
--> statement-breakpoint
CREATE INDEX `deliveries_provider_idx` ON `deliveries` (`channel_key`,`provider_message_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_message_attempt_uq` ON `deliveries` (`message_id`,`attempt`);--> statement-breakpoint
CREATE TABLE `message_attachments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`message_id` integer,
	`kind_key` text NOT NULL,
	`url` text NOT NULL,
	`file_name` text NOT NULL,
	`content_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`uploaded_by_user_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`message_id`) REFERENCES `messages`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`uploaded_by_user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "message_attachments_kind_ck" CHECK("message_attachments"."kind_key" IN ('image', 'video', 'audio', 'document')),
	CONSTRAINT "message_attachments_size_ck" CHECK("message_attachments"."size_bytes" >= 0)
);
--> statement-breakpoint
CREATE INDEX `message_attachments_message_idx` ON `message_attachments` (`workspace_id`,`message_id`);--> statement-breakpoint
CREATE TABLE `message_receipts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`conversation_id` integer NOT NULL,
	`status_key` text DEFAULT 'unread' NOT NULL,
	`read_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`message_id`) REFERENCES `messages`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`conversation_id`) REFERENCES `conversations`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "message_receipts_status_ck" CHECK("message_receipts"."status_key" IN ('unread', 'read'))
);
--> statement-breakpoint
CREATE INDEX `message_receipts_unread_idx` ON `message_receipts` (`workspace_id`,`user_id`,`status_key`,`conversation_id`,`message_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `message_receipts_user_message_uq` ON `message_receipts` (`user_id`,`message_id`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`conversation_id` integer NOT NULL,
	`author_kind_key` text NOT NULL,
	`author_user_id` integer,
	`author_contact_id` integer,
	`channel_key` text NOT NULL,
	`kind_key` text DEFAULT 'text' NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`payload_json` text,
	`external_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`conversation_id`) REFERENCES `conversations`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`author_user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`author_contact_id`) REFERENCES `contacts`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "messages_author_kind_ck" CHECK("messages"."author_kind_key" IN ('user', 'contact', 'system')),
	CONSTRAINT "messages_channel_ck" CHECK("messages"."channel_key" IN ('internal', 'email', 'sms', 'whatsapp', 'telegram', 'discord')),
	CONSTRAINT "messages_kind_ck" CHECK("messages"."kind_key" IN ('text', 'media')),
	CONSTRAINT "messages_author_ck" CHECK(("messages"."author_kind_key" = 'user' AND "messages"."author_user_id" IS NOT NULL AND "messages"."author_contact_id" IS NULL) OR ("messages"."author_kind_key" = 'contact' AND "messages"."author_contact_id" IS NOT NULL AND "messages"."author_user_id" IS NULL) OR ("messages"."author_kind_key" = 'system' AND "messages"."author_user_id" IS NULL AND "messages"."author_contact_id" IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_ws_channel_external_uq` ON `messages` (`workspace_id`,`channel_key`,`external_id`);--> statement-breakpoint
CREATE INDEX `messages_conversation_idx` ON `messages` (`workspace_id`,`conversation_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_ws_author_user_idx` ON `messages` (`workspace_id`,`author_user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `messages_ws_created_idx` ON `messages` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_ws_id_uq` ON `messages` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`type_key` text NOT NULL,
	`entity_type_key` text NOT NULL,
	`entity_id` integer NOT NULL,
	`actor_user_id` integer,
	`payload_json` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `events_entity_idx` ON `events` (`workspace_id`,`entity_type_key`,`entity_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_type_time_idx` ON `events` (`workspace_id`,`type_key`,`created_at`);--> statement-breakpoint
CREATE INDEX `events_time_idx` ON `events` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `events_actor_time_idx` ON `events` (`workspace_id`,`actor_user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`created_by_user_id` integer,
	`kind_key` text NOT NULL,
	`status_key` text DEFAULT 'queued' NOT NULL,
	`input_json` text DEFAULT '{}' NOT NULL,
	`result_json` text,
	`progress_json` text,
	`file_url` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`created_by_user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "jobs_kind_ck" CHECK("jobs"."kind_key" IN ('deliver_message', 'classify_conversation', 'import_contacts', 'export_contacts')),
	CONSTRAINT "jobs_status_ck" CHECK("jobs"."status_key" IN ('queued', 'running', 'succeeded', 'failed')),
	CONSTRAINT "jobs_attempts_ck" CHECK("jobs"."attempts" >= 0)
);
--> statement-breakpoint
CREATE INDEX `jobs_ws_creator_idx` ON `jobs` (`workspace_id`,`created_by_user_id`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_ws_kind_status_idx` ON `jobs` (`workspace_id`,`kind_key`,`status_key`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_ws_id_uq` ON `jobs` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `deals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`contact_id` integer NOT NULL,
	`pipeline_id` integer NOT NULL,
	`stage_id` integer NOT NULL,
	`status_key` text DEFAULT 'open' NOT NULL,
	`title` text,
	`amount_minor` integer,
	`currency` text DEFAULT 'USD' NOT NULL,
	`lost_reason` text,
	`owner_user_id` integer,
	`closed_at` integer,
	`stage_changed_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`contact_id`) REFERENCES `contacts`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`,`pipeline_id`) REFERENCES `pipelines`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pipeline_id`,`stage_id`) REFERENCES `stages`(`pipeline_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "deals_status_ck" CHECK("deals"."status_key" IN ('open', 'won', 'lost')),
	CONSTRAINT "deals_amount_ck" CHECK("deals"."amount_minor" IS NULL OR "deals"."amount_minor" >= 0),
	CONSTRAINT "deals_closed_ck" CHECK(("deals"."status_key" = 'open') = ("deals"."closed_at" IS NULL))
);
--> statement-breakpoint
CREATE INDEX `deals_ws_pipeline_stage_idx` ON `deals` (`workspace_id`,`pipeline_id`,`stage_id`,`status_key`,`id`);--> statement-breakpoint
CREATE INDEX `deals_ws_contact_idx` ON `deals` (`workspace_id`,`contact_id`,`status_key`);--> statement-breakpoint
CREATE INDEX `deals_ws_status_idx` ON `deals` (`workspace_id`,`status_key`,`id`);--> statement-breakpoint
CREATE TABLE `pipelines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pipelines_ws_id_uq` ON `pipelines` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `stages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`pipeline_id` integer NOT NULL,
	`name` text NOT NULL,
	`sort_index` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`pipeline_id`) REFERENCES `pipelines`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stages_pipeline_sort_idx` ON `stages` (`pipeline_id`,`sort_index`);--> statement-breakpoint
CREATE UNIQUE INDEX `stages_ws_id_uq` ON `stages` (`workspace_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `stages_pipeline_id_uq` ON `stages` (`pipeline_id`,`id`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`name` text,
	`token_hash` text NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_user_idx` ON `api_tokens` (`workspace_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `chat_link_codes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`platform_key` text NOT NULL,
	`code_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "chat_link_codes_platform_ck" CHECK("chat_link_codes"."platform_key" IN ('telegram', 'discord'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_link_codes_code_hash_unique` ON `chat_link_codes` (`code_hash`);--> statement-breakpoint
CREATE TABLE `chat_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`platform_key` text NOT NULL,
	`external_user_id` text NOT NULL,
	`external_chat_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`,`user_id`) REFERENCES `users`(`workspace_id`,`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "chat_links_platform_ck" CHECK("chat_links"."platform_key" IN ('telegram', 'discord'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_links_platform_external_uq` ON `chat_links` (`platform_key`,`external_user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `chat_links_user_platform_uq` ON `chat_links` (`workspace_id`,`user_id`,`platform_key`);--> statement-breakpoint
CREATE TABLE `discord_guilds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`guild_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `discord_guilds_guild_id_unique` ON `discord_guilds` (`guild_id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status_code` integer,
	`response_body` text,
	`created_at` integer NOT NULL,
	CONSTRAINT "idempotency_status_ck" CHECK("idempotency_keys"."status_code" IS NULL OR "idempotency_keys"."status_code" BETWEEN 100 AND 599)
);
--> statement-breakpoint
CREATE INDEX `idempotency_created_idx` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `idempotency_scope_key_uq` ON `idempotency_keys` (`scope`,`key`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`role` text DEFAULT 'member' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "users_role_ck" CHECK("users"."role" IN ('owner', 'member'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_ws_id_uq` ON `users` (`workspace_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_ws_email_uq` ON `users` (`workspace_id`,`email`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`default_country` text DEFAULT 'US' NOT NULL,
	`time_zone` text DEFAULT 'UTC' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
