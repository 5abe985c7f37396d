-- The per-view tables (issue 23's capacity model, docs/capacity.md).
--
-- view_marks and the daily roll-ups become WITHOUT ROWID tables: a rowid table with a
-- composite primary key stores every row twice, once in the table by rowid and once in the
-- key's index; a WITHOUT ROWID table is the key's B-tree alone, and a key lookup is one B-tree
-- search instead of two. `npm run sim:growth` measured bytes a row (with indexes): view_marks
-- 111 -> 56, video_stats_daily 63 -> 35, video_region_daily 71 -> 39. Not video_region_hourly:
-- its two secondary indexes would each carry the three-column key instead of a rowid, and it
-- came out 2% larger (120 -> 122). Their columns, keys, defaults, foreign keys and indexes are
-- unchanged, so no query changes. Each is rebuilt: a new table, the rows copied, the old one
-- dropped, the new one renamed. Hand-written: drizzle-kit cannot express WITHOUT ROWID
-- (workers/storage/schema.ts says so beside each table).
--
-- And video_stats_hourly goes (below).
CREATE TABLE `view_marks_new` (
	`video_id` text NOT NULL,
	`viewer` text NOT NULL,
	`hour` integer NOT NULL,
	`region` text DEFAULT 'ZZ' NOT NULL,
	PRIMARY KEY(`video_id`, `viewer`, `hour`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
INSERT INTO `view_marks_new` (`video_id`, `viewer`, `hour`, `region`)
	SELECT `video_id`, `viewer`, `hour`, `region` FROM `view_marks`;
DROP TABLE `view_marks`;
ALTER TABLE `view_marks_new` RENAME TO `view_marks`;

-- video_stats_hourly is dropped: every watch event was rolled up into it and into
-- video_region_hourly in the same batch, so a video's hour is the sum of its regional rows
-- (region `ZZ` where unknown), and keeping it apart cost a third of the write path's statements
-- and 449 MB a day at 10 million views. Any hour it holds beyond its regional rows (rows from
-- before the regional table existed) moves into the hour's `ZZ` row first, so no all-time
-- figure changes.
INSERT INTO `video_region_hourly` (`video_id`, `region`, `hour`, `views`, `watch_seconds`, `likes`, `comments`, `shares`, `updated_at`)
	SELECT g.`video_id`, 'ZZ', g.`hour`,
		max(g.`views` - coalesce(r.`views`, 0), 0),
		max(g.`watch_seconds` - coalesce(r.`watch_seconds`, 0), 0),
		max(g.`likes` - coalesce(r.`likes`, 0), 0),
		0,
		max(g.`shares` - coalesce(r.`shares`, 0), 0),
		unixepoch() * 1000
	FROM `video_stats_hourly` AS g
	LEFT JOIN (
		SELECT `video_id`, `hour`, sum(`views`) AS `views`, sum(`watch_seconds`) AS `watch_seconds`,
			sum(`likes`) AS `likes`, sum(`shares`) AS `shares`
		FROM `video_region_hourly` GROUP BY `video_id`, `hour`
	) AS r ON r.`video_id` = g.`video_id` AND r.`hour` = g.`hour`
	WHERE g.`views` > coalesce(r.`views`, 0) OR g.`watch_seconds` > coalesce(r.`watch_seconds`, 0) + 0.001
		OR g.`likes` > coalesce(r.`likes`, 0) OR g.`shares` > coalesce(r.`shares`, 0)
	ON CONFLICT (`video_id`, `region`, `hour`) DO UPDATE SET
		`views` = `views` + excluded.`views`, `watch_seconds` = `watch_seconds` + excluded.`watch_seconds`,
		`likes` = `likes` + excluded.`likes`, `shares` = `shares` + excluded.`shares`,
		`updated_at` = max(`updated_at`, excluded.`updated_at`);
DROP TABLE `video_stats_hourly`;

CREATE TABLE `video_stats_daily_new` (
	`video_id` text NOT NULL,
	`day` integer NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`watch_seconds` real DEFAULT 0 NOT NULL,
	`likes` integer DEFAULT 0 NOT NULL,
	`shares` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`video_id`, `day`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
INSERT INTO `video_stats_daily_new` (`video_id`, `day`, `views`, `watch_seconds`, `likes`, `shares`)
	SELECT `video_id`, `day`, `views`, `watch_seconds`, `likes`, `shares` FROM `video_stats_daily`;
DROP TABLE `video_stats_daily`;
ALTER TABLE `video_stats_daily_new` RENAME TO `video_stats_daily`;

CREATE TABLE `video_region_daily_new` (
	`video_id` text NOT NULL,
	`region` text NOT NULL,
	`day` integer NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`watch_seconds` real DEFAULT 0 NOT NULL,
	`likes` integer DEFAULT 0 NOT NULL,
	`comments` integer DEFAULT 0 NOT NULL,
	`shares` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`video_id`, `region`, `day`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
INSERT INTO `video_region_daily_new` (`video_id`, `region`, `day`, `views`, `watch_seconds`, `likes`, `comments`, `shares`)
	SELECT `video_id`, `region`, `day`, `views`, `watch_seconds`, `likes`, `comments`, `shares` FROM `video_region_daily`;
DROP TABLE `video_region_daily`;
ALTER TABLE `video_region_daily_new` RENAME TO `video_region_daily`;
