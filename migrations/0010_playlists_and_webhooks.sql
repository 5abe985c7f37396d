CREATE TABLE `playlist_items` (
	`id` text PRIMARY KEY NOT NULL,
	`playlist_id` text NOT NULL,
	`video_id` text NOT NULL,
	`rank` text NOT NULL,
	`added_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`playlist_id`) REFERENCES `playlists`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `playlist_items_rank` ON `playlist_items` (`playlist_id`,`rank`);--> statement-breakpoint
CREATE UNIQUE INDEX `playlist_items_video` ON `playlist_items` (`playlist_id`,`video_id`);--> statement-breakpoint
CREATE INDEX `playlist_items_video_id` ON `playlist_items` (`video_id`);--> statement-breakpoint
CREATE TABLE `playlists` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`kind` text DEFAULT 'playlist' NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`visibility` text DEFAULT 'private' NOT NULL,
	`item_count` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer DEFAULT 0 NOT NULL,
	`size` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `playlists_owner_updated` ON `playlists` (`owner_id`,`updated_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `playlists_watch_later` ON `playlists` (`owner_id`) WHERE "playlists"."kind" = 'watch_later';--> statement-breakpoint
CREATE TABLE `webhook_attempts` (
	`delivery_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`response_status` integer,
	`response_body` text,
	`error` text,
	PRIMARY KEY(`delivery_id`, `attempt`),
	FOREIGN KEY (`delivery_id`) REFERENCES `webhook_deliveries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`response_status` integer,
	`next_attempt_at` integer,
	`lease_until` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`endpoint_id`) REFERENCES `webhook_endpoints`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`event_id`) REFERENCES `webhook_events`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_endpoint_event` ON `webhook_deliveries` (`endpoint_id`,`event_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint_created` ON `webhook_deliveries` (`endpoint_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_event` ON `webhook_deliveries` (`event_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_pending` ON `webhook_deliveries` (`next_attempt_at`) WHERE "webhook_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`url` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`events` text NOT NULL,
	`secret_sealed` text NOT NULL,
	`previous_secret_sealed` text,
	`previous_secret_expires_at` integer,
	`enabled` integer DEFAULT true NOT NULL,
	`disabled_reason` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_user` ON `webhook_endpoints` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`endpoint_id` text,
	`fanned_out_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_events_created` ON `webhook_events` (`created_at`);--> statement-breakpoint
-- Hand-written from here (drizzle-kit cannot express triggers). A playlist's `item_count` and
-- `duration_ms` count the items anyone may see: the video is public or unlisted, ready, not
-- blocked and its owner not suspended (`shown` in workers/storage/videos.ts says the same);
-- `size` counts every item (the 5,000 cap). Kept here, in the statement that changes them,
-- whichever code path adds, removes, hides, shows or deletes a video.
CREATE TRIGGER `playlist_items_insert` AFTER INSERT ON `playlist_items`
BEGIN
	UPDATE `playlists` SET
		`size` = `size` + 1,
		`item_count` = `item_count` + coalesce((SELECT 1 FROM `videos` v WHERE v.`id` = new.`video_id`
			AND v.`visibility` <> 'private' AND v.`status` = 'ready' AND v.`blocked_at` IS NULL AND v.`owner_suspended` = 0), 0),
		`duration_ms` = `duration_ms` + coalesce((SELECT coalesce(v.`duration_ms`, 0) FROM `videos` v WHERE v.`id` = new.`video_id`
			AND v.`visibility` <> 'private' AND v.`status` = 'ready' AND v.`blocked_at` IS NULL AND v.`owner_suspended` = 0), 0),
		`updated_at` = (unixepoch('subsec') * 1000)
	WHERE `id` = new.`playlist_id`;
END;--> statement-breakpoint
CREATE TRIGGER `playlist_items_delete` AFTER DELETE ON `playlist_items`
BEGIN
	UPDATE `playlists` SET
		`size` = `size` - 1,
		`item_count` = `item_count` - coalesce((SELECT 1 FROM `videos` v WHERE v.`id` = old.`video_id`
			AND v.`visibility` <> 'private' AND v.`status` = 'ready' AND v.`blocked_at` IS NULL AND v.`owner_suspended` = 0), 0),
		`duration_ms` = `duration_ms` - coalesce((SELECT coalesce(v.`duration_ms`, 0) FROM `videos` v WHERE v.`id` = old.`video_id`
			AND v.`visibility` <> 'private' AND v.`status` = 'ready' AND v.`blocked_at` IS NULL AND v.`owner_suspended` = 0), 0),
		`updated_at` = (unixepoch('subsec') * 1000)
	WHERE `id` = old.`playlist_id`;
END;--> statement-breakpoint
-- A deleted video's items go before the video does, while the item trigger above can still read
-- what the video counted for (the foreign key's cascade would run with the video already gone).
CREATE TRIGGER `videos_playlists_delete` BEFORE DELETE ON `videos`
BEGIN
	DELETE FROM `playlist_items` WHERE `video_id` = old.`id`;
END;--> statement-breakpoint
-- A video turning private, blocked or hidden by a suspension leaves the counts of every playlist
-- that holds it, and comes back when it is shown again; a new duration (when it becomes ready) counts.
CREATE TRIGGER `videos_playlists_update`
AFTER UPDATE OF `visibility`, `status`, `blocked_at`, `owner_suspended`, `duration_ms` ON `videos`
WHEN (old.`visibility` <> 'private' AND old.`status` = 'ready' AND old.`blocked_at` IS NULL AND old.`owner_suspended` = 0)
	<> (new.`visibility` <> 'private' AND new.`status` = 'ready' AND new.`blocked_at` IS NULL AND new.`owner_suspended` = 0)
	OR ((new.`visibility` <> 'private' AND new.`status` = 'ready' AND new.`blocked_at` IS NULL AND new.`owner_suspended` = 0)
		AND old.`duration_ms` IS NOT new.`duration_ms`)
BEGIN
	UPDATE `playlists` SET
		`item_count` = `item_count`
			+ (new.`visibility` <> 'private' AND new.`status` = 'ready' AND new.`blocked_at` IS NULL AND new.`owner_suspended` = 0)
			- (old.`visibility` <> 'private' AND old.`status` = 'ready' AND old.`blocked_at` IS NULL AND old.`owner_suspended` = 0),
		`duration_ms` = `duration_ms`
			+ (CASE WHEN new.`visibility` <> 'private' AND new.`status` = 'ready' AND new.`blocked_at` IS NULL
				AND new.`owner_suspended` = 0 THEN coalesce(new.`duration_ms`, 0) ELSE 0 END)
			- (CASE WHEN old.`visibility` <> 'private' AND old.`status` = 'ready' AND old.`blocked_at` IS NULL
				AND old.`owner_suspended` = 0 THEN coalesce(old.`duration_ms`, 0) ELSE 0 END)
	WHERE `id` IN (SELECT `playlist_id` FROM `playlist_items` WHERE `video_id` = new.`id`);
END;
