-- Hourly roll-ups leave the shared D1 (issue 23, docs/capacity.md: `video_region_hourly` grew
-- 1.2 GB a day at 10 million views, and it and `processed_events` took two statements of every
-- watch event). Each video's room (VideoRoom) now keeps its hours and the ids of the events it
-- counted in its own SQLite, and flushes what they add to each day into `video_stats_daily`
-- with its counters. `active_at` is the flush's time: trending's cron finds the videos with new
-- activity through its index, where it read the hourly rows' `updated_at`. The rows left in
-- `video_region_hourly` are moved by the cron (`moveRollUps`: the last 49 hours into the rooms,
-- every row folded into its day) and the table is dropped once empty.
ALTER TABLE `videos` ADD `active_at` integer;--> statement-breakpoint
CREATE INDEX `videos_active_at` ON `videos` (`active_at`);
