-- The per-view tables that left the shared D1 (issue 23, docs/capacity.md "Where each lives
-- after issue 23") are dropped. Since 2026-12-07 nothing writes them, and the cron of the
-- releases before this one moved what they held into the objects that keep it now (view marks,
-- hours and co-views into each video's room, the days into `videos.watch_seconds`, viewers'
-- windows into their shards, history, likes and room joins into each user's object).
--
-- A table the cron had not emptied yet still holds what its new home lacks, so the migration
-- refuses to run until each is empty: a row in `drained` names the first table that is not
-- (`CHECK constraint failed: watch_history_not_yet_drained`), and D1 rolls the whole migration
-- back. Then deploy the release before this one again and let its cron finish (README,
-- "Deploying"). Two tables drop without a guard: `processed_events` (event ids that only
-- D1's old roll-up read; the rooms keep their own) and `video_region_daily` (no reader since
-- 2026-12-06).
CREATE TABLE `drained` (
	`watch_history` integer CONSTRAINT `watch_history_not_yet_drained` CHECK (`watch_history` = 0),
	`video_likes` integer CONSTRAINT `video_likes_not_yet_drained` CHECK (`video_likes` = 0),
	`view_marks` integer CONSTRAINT `view_marks_not_yet_drained` CHECK (`view_marks` = 0),
	`video_region_hourly` integer CONSTRAINT `video_region_hourly_not_yet_drained` CHECK (`video_region_hourly` = 0),
	`video_stats_daily` integer CONSTRAINT `video_stats_daily_not_yet_drained` CHECK (`video_stats_daily` = 0),
	`co_views` integer CONSTRAINT `co_views_not_yet_drained` CHECK (`co_views` = 0),
	`viewer_recent_watches` integer CONSTRAINT `viewer_recent_watches_not_yet_drained` CHECK (`viewer_recent_watches` = 0),
	`room_members` integer CONSTRAINT `room_members_not_yet_drained` CHECK (`room_members` = 0)
);--> statement-breakpoint
INSERT INTO `drained` SELECT
	EXISTS (SELECT 1 FROM `watch_history`),
	EXISTS (SELECT 1 FROM `video_likes`),
	EXISTS (SELECT 1 FROM `view_marks`),
	EXISTS (SELECT 1 FROM `video_region_hourly`),
	EXISTS (SELECT 1 FROM `video_stats_daily`),
	EXISTS (SELECT 1 FROM `co_views`),
	EXISTS (SELECT 1 FROM `viewer_recent_watches`),
	EXISTS (SELECT 1 FROM `room_members`);--> statement-breakpoint
DROP TABLE `drained`;--> statement-breakpoint
DROP TABLE `co_views`;--> statement-breakpoint
DROP TABLE `processed_events`;--> statement-breakpoint
DROP TABLE `room_members`;--> statement-breakpoint
DROP TABLE `video_likes`;--> statement-breakpoint
DROP TABLE `video_region_daily`;--> statement-breakpoint
DROP TABLE `video_region_hourly`;--> statement-breakpoint
DROP TABLE `video_stats_daily`;--> statement-breakpoint
DROP TABLE `view_marks`;--> statement-breakpoint
DROP TABLE `viewer_recent_watches`;--> statement-breakpoint
DROP TABLE `watch_history`;
