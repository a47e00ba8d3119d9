ALTER TABLE `calls` ADD `reps_notified_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `phone` text;