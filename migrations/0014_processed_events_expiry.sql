-- Watch-event ids are kept only while a redelivery can still come (issue 23's capacity model:
-- processed_events was half of D1's growth, 19.9 GB a day at 10 million views, never pruned).
-- The 5-minute cron forgets ids older than an hour, oldest first, through this index.
CREATE INDEX `processed_events_created` ON `processed_events` (`created_at`);