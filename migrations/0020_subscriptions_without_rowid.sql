-- The catalogue's largest table (issue 23's capacity model, docs/capacity.md): `subscriptions`
-- held every row four times, in the table by rowid, in the primary key's index, in
-- `subscriptions_channel_user` and in `subscriptions_user_created`. It becomes a WITHOUT ROWID
-- table (the key's B-tree holds the row) with one secondary index, the channel's (the
-- `new_video` fan-out and the channel's cascade read it). `subscriptions_user_created` goes:
-- its only reader was the newest-first list of a user's channels, which now reads the user's
-- rows by the key's prefix and sorts them (5 a user on average in the model). Measured by
-- `npm run sim:growth` (bytes a row with its indexes): 179 -> 94; at 10 million users with 5
-- subscriptions each, 8.4 GB -> 4.4 GB (the whole database after a year: 38.1 -> 34.1 GB).
--
-- Rebuilt as 0015 rebuilt the roll-ups: a new table, the rows copied, the old one dropped (its
-- triggers go with it, and fire on nothing: SQLite drops a table's triggers before the rows),
-- the new one renamed, then the index and the count triggers of migration 0005 again, word
-- for word. Hand-written: drizzle-kit cannot express WITHOUT ROWID (workers/storage/schema.ts
-- says so beside the table).
CREATE TABLE `subscriptions_new` (
	`user_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`user_id`, `channel_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
INSERT INTO `subscriptions_new` (`user_id`, `channel_id`, `created_at`)
	SELECT `user_id`, `channel_id`, `created_at` FROM `subscriptions`;
DROP TABLE `subscriptions`;
ALTER TABLE `subscriptions_new` RENAME TO `subscriptions`;
CREATE INDEX `subscriptions_channel_user` ON `subscriptions` (`channel_id`,`user_id`);
CREATE TRIGGER `subscriptions_count_insert` AFTER INSERT ON `subscriptions`
BEGIN
	UPDATE `channels` SET `subscriber_count` = `subscriber_count` + 1 WHERE `id` = new.`channel_id`;
END;
CREATE TRIGGER `subscriptions_count_delete` AFTER DELETE ON `subscriptions`
BEGIN
	UPDATE `channels` SET `subscriber_count` = `subscriber_count` - 1 WHERE `id` = old.`channel_id`;
END;
