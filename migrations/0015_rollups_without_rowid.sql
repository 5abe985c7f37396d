-- The per-view tables keyed by (video, ..., hour or day) become WITHOUT ROWID tables (issue 23's
-- capacity model, docs/capacity.md): a rowid table with a composite primary key stores every
-- row twice, once in the table by rowid and once in the key's index; a WITHOUT ROWID table is
-- the key's B-tree alone, and a key lookup is one B-tree search instead of two. `npm run
-- sim:growth` measured bytes a row (with indexes): view_marks 111 -> 56, video_stats_hourly
-- 83 -> 62, video_stats_daily 63 -> 35, video_region_daily 71 -> 39. Not video_region_hourly:
-- its two secondary indexes would each carry the three-column key instead of a rowid, and it
-- came out 2% larger (120 -> 122). Columns, keys, defaults, foreign keys and indexes are unchanged, so no
-- query changes. Hand-written: drizzle-kit cannot express WITHOUT ROWID (workers/storage/schema.ts
-- says so beside each table). Each table is rebuilt: a new table, the rows copied, the old one
-- dropped, the new one renamed, its indexes made again.
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

CREATE TABLE `video_stats_hourly_new` (
	`video_id` text NOT NULL,
	`hour` integer NOT NULL,
	`views` integer DEFAULT 0 NOT NULL,
	`watch_seconds` real DEFAULT 0 NOT NULL,
	`likes` integer DEFAULT 0 NOT NULL,
	`shares` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`video_id`, `hour`),
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
INSERT INTO `video_stats_hourly_new` (`video_id`, `hour`, `views`, `watch_seconds`, `likes`, `shares`)
	SELECT `video_id`, `hour`, `views`, `watch_seconds`, `likes`, `shares` FROM `video_stats_hourly`;
DROP TABLE `video_stats_hourly`;
ALTER TABLE `video_stats_hourly_new` RENAME TO `video_stats_hourly`;
CREATE INDEX `video_stats_hour` ON `video_stats_hourly` (`hour`);

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
