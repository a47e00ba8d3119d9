DROP INDEX `contacts_ws_name_idx`;--> statement-breakpoint
DROP INDEX `contacts_ws_segment_city_idx`;--> statement-breakpoint
DROP INDEX `contacts_ws_company_idx`;--> statement-breakpoint
DROP INDEX `contacts_ws_state_idx`;--> statement-breakpoint
CREATE INDEX `contacts_ws_name_nocase_idx` ON `contacts` (`workspace_id`,"name" COLLATE NOCASE,`id`);--> statement-breakpoint
CREATE INDEX `contacts_ws_segment_city_nocase_idx` ON `contacts` (`workspace_id`,"segment" COLLATE NOCASE,"city" COLLATE NOCASE,"name" COLLATE NOCASE);--> statement-breakpoint
CREATE INDEX `contacts_ws_company_nocase_idx` ON `contacts` (`workspace_id`,"company" COLLATE NOCASE,"name" COLLATE NOCASE);--> statement-breakpoint
CREATE INDEX `contacts_ws_state_nocase_idx` ON `contacts` (`workspace_id`,"state" COLLATE NOCASE,"name" COLLATE NOCASE);--> statement-breakpoint
CREATE INDEX `contacts_ws_role_nocase_idx` ON `contacts` (`workspace_id`,"role" COLLATE NOCASE,"name" COLLATE NOCASE);