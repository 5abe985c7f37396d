-- Co-views leave the shared D1 (issue 23, docs/capacity.md: `co_views` grew 7.5 GB a day at 10
-- million views). Each video's room (VideoRoom) now keeps its top co-viewed pairs in its own
-- SQLite; what D1 keeps per video is the co-view total recommendations divide by (c_i), as a
-- log-count the room flushes with the counters (storage/signals.ts says how to read it). Null
-- until a video's first co-view. The old table's rows are moved into the rooms by the cron
-- (`moveCoViews`, which also adds them to this total) and the table is dropped once empty.
ALTER TABLE `videos` ADD `co_view_log` real;
