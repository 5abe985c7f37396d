-- Discovery: subscriptions, exact channel counts, co-view signals, regional roll-ups and
-- trending scores. Hand-written: the counters are kept by triggers (drizzle-kit cannot express
-- them), so every path that changes a video or a subscription, cascades included, keeps them exact.

ALTER TABLE `channels` ADD `video_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `channels` SET `video_count` = (
	SELECT count(*) FROM `videos` v
	WHERE v.`channel_id` = `channels`.`id` AND v.`visibility` = 'public' AND v.`status` = 'ready'
);--> statement-breakpoint
CREATE TRIGGER `videos_listed_insert` AFTER INSERT ON `videos`
WHEN new.`visibility` = 'public' AND new.`status` = 'ready'
BEGIN
	UPDATE `channels` SET `video_count` = `video_count` + 1 WHERE `id` = new.`channel_id`;
END;--> statement-breakpoint
CREATE TRIGGER `videos_listed_update` AFTER UPDATE OF `visibility`, `status` ON `videos`
WHEN (old.`visibility` = 'public' AND old.`status` = 'ready') <> (new.`visibility` = 'public' AND new.`status` = 'ready')
BEGIN
	UPDATE `channels`
	SET `video_count` = `video_count` + (CASE WHEN new.`visibility` = 'public' AND new.`status` = 'ready' THEN 1 ELSE -1 END)
	WHERE `id` = new.`channel_id`;
END;--> statement-breakpoint
CREATE TRIGGER `videos_listed_delete` AFTER DELETE ON `videos`
WHEN old.`visibility` = 'public' AND old.`status` = 'ready'
BEGIN
	UPDATE `channels` SET `video_count` = `video_count` - 1 WHERE `id` = old.`channel_id`;
END;--> statement-breakpoint
-- A channel's page lists its public, ready videos newest first.
CREATE INDEX `videos_channel_listed` ON `videos` (`channel_id`,`published_at`) WHERE `visibility` = 'public' AND `status` = 'ready';--> statement-breakpoint

CREATE TABLE `subscriptions` (
	`user_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`user_id`, `channel_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `subscriptions_channel_user` ON `subscriptions` (`channel_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `subscriptions_user_created` ON `subscriptions` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TRIGGER `subscriptions_count_insert` AFTER INSERT ON `subscriptions`
BEGIN
	UPDATE `channels` SET `subscriber_count` = `subscriber_count` + 1 WHERE `id` = new.`channel_id`;
END;--> statement-breakpoint
CREATE TRIGGER `subscriptions_count_delete` AFTER DELETE ON `subscriptions`
BEGIN
	UPDATE `channels` SET `subscriber_count` = `subscriber_count` - 1 WHERE `id` = old.`channel_id`;
END;--> statement-breakpoint

-- `video_ready` goes to one user per video, `new_video` to every subscriber: unique per user.
DROP INDEX `notifications_type_video`;--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_user_type_video` ON `notifications` (`user_id`,`type`,`video_id`);--> statement-breakpoint

-- The region a view came from, so trending can count distinct viewers per region.
ALTER TABLE `view_marks` ADD `region` text DEFAULT 'ZZ' NOT NULL;--> statement-breakpoint

CREATE TABLE `viewer_recent_watches` (
	`viewer` text NOT NULL,
	`video_id` text NOT NULL,
	`region` text NOT NULL,
	`watched_at` integer NOT NULL,
	PRIMARY KEY(`viewer`, `video_id`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `viewer_recent_watches_viewer_at` ON `viewer_recent_watches` (`viewer`,`watched_at`);--> statement-breakpoint
CREATE INDEX `viewer_recent_watches_at` ON `viewer_recent_watches` (`watched_at`);--> statement-breakpoint

CREATE TABLE `co_views` (
	`video_a` text NOT NULL,
	`video_b` text NOT NULL,
	`region` text NOT NULL,
	`score` real NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`video_a`, `region`, `video_b`),
	FOREIGN KEY (`video_a`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`video_b`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `co_views_video_b` ON `co_views` (`video_b`);--> statement-breakpoint
CREATE INDEX `co_views_updated` ON `co_views` (`updated_at`);--> statement-breakpoint

CREATE TABLE `video_region_hourly` (
	`video_id` text NOT NULL,
	`region` text NOT NULL,
	`hour` integer NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`watch_seconds` real DEFAULT 0 NOT NULL,
	`likes` integer DEFAULT 0 NOT NULL,
	`comments` integer DEFAULT 0 NOT NULL,
	`shares` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`video_id`, `region`, `hour`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `video_region_hourly_updated` ON `video_region_hourly` (`updated_at`);--> statement-breakpoint
CREATE INDEX `video_region_hourly_hour` ON `video_region_hourly` (`hour`);--> statement-breakpoint

CREATE TABLE `trending_scores` (
	`video_id` text NOT NULL,
	`region` text NOT NULL,
	`channel_id` text NOT NULL,
	`category` text,
	`score` real NOT NULL,
	`rank_key` real NOT NULL,
	`viewers` integer NOT NULL,
	`last_hour` integer NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`video_id`, `region`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `trending_scores_region_rank` ON `trending_scores` (`region`,`rank_key`);--> statement-breakpoint
CREATE INDEX `trending_scores_region_category_rank` ON `trending_scores` (`region`,`category`,`rank_key`);--> statement-breakpoint
CREATE INDEX `trending_scores_last_hour` ON `trending_scores` (`last_hour`);
