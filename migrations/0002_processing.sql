CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`video_id` text,
	`message` text NOT NULL,
	`read` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notifications_user_created` ON `notifications` (`user_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_type_video` ON `notifications` (`type`,`video_id`);--> statement-breakpoint
CREATE TABLE `renditions` (
	`video_id` text NOT NULL,
	`name` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`bandwidth` integer NOT NULL,
	`average_bandwidth` integer,
	`codecs` text NOT NULL,
	`frame_rate` real,
	`playlist` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`video_id`, `name`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `transcode_jobs` ADD `dispatched_at` integer;--> statement-breakpoint
ALTER TABLE `transcode_jobs` ADD `last_event_at` integer;--> statement-breakpoint
ALTER TABLE `videos` ADD `source_info` text;--> statement-breakpoint
ALTER TABLE `videos` ADD `thumbnails` text;