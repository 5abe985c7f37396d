-- Daily roll-ups leave the shared D1 (issue 23, docs/capacity.md): `video_stats_daily` took a
-- row per video and day with activity (34 MB a day at 10 million views, 13 GB after a year) and
-- 1.8 write statements a view, and its only reader was recommendations' all-time figures.
-- Views all time are `view_count` already; the seconds watched now add up on the video's row,
-- written by its room's flush in the statement that adds its counters. The rows left in
-- `video_stats_daily` are folded into it by the cron (`foldDays`) and the table is dropped once
-- empty.
ALTER TABLE `videos` ADD `watch_seconds` real DEFAULT 0 NOT NULL;
