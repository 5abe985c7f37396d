CREATE TABLE `comments` (
	`id` text PRIMARY KEY NOT NULL,
	`video_id` text NOT NULL,
	`parent_id` text,
	`user_id` text NOT NULL,
	`content` text NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`reply_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `comments_video_parent_created` ON `comments` (`video_id`,`parent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `comments_video_parent_replies` ON `comments` (`video_id`,`parent_id`,`reply_count`);--> statement-breakpoint
CREATE INDEX `comments_parent_created` ON `comments` (`parent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `comments_user_created` ON `comments` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `processed_events` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `video_likes` (
	`user_id` text NOT NULL,
	`video_id` text NOT NULL,
	`value` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`user_id`, `video_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `video_stats_hourly` (
	`video_id` text NOT NULL,
	`hour` integer NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`watch_seconds` real DEFAULT 0 NOT NULL,
	`likes` integer DEFAULT 0 NOT NULL,
	`shares` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`video_id`, `hour`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `video_stats_hour` ON `video_stats_hourly` (`hour`);--> statement-breakpoint
CREATE TABLE `view_marks` (
	`video_id` text NOT NULL,
	`viewer` text NOT NULL,
	`hour` integer NOT NULL,
	PRIMARY KEY(`video_id`, `viewer`, `hour`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `watch_history` (
	`user_id` text NOT NULL,
	`video_id` text NOT NULL,
	`position` real NOT NULL,
	`duration` real NOT NULL,
	`percent` real NOT NULL,
	`watched_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `video_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `watch_history_user_watched` ON `watch_history` (`user_id`,`watched_at`);--> statement-breakpoint
ALTER TABLE `videos` ADD `share_count` integer DEFAULT 0 NOT NULL;