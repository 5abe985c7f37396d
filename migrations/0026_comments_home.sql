-- Comments move to a database of their own, `COMMENTS` (issue 23, docs/capacity.md "The
-- comments move"), a video at a time. `comments_home` says where a video's comments are:
-- 0 here, 1 in `COMMENTS`. Every video made before this migration starts here (0); the
-- platform makes new videos with 1 (storage/schema.ts), and the cron moves the others through
-- each video's room, which writes its comments (the partial index finds them; it goes with
-- `DB`'s comments, in a later migration).
ALTER TABLE `videos` ADD `comments_home` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `videos_comments_in_db` ON `videos` (`id`) WHERE "videos"."comments_home" = 0;--> statement-breakpoint
-- A comment written here for a video whose comments have moved would be read by nobody: the
-- insert fails instead, and the writer (the room, or the release before this one during a
-- deploy) writes it again where the video says.
CREATE TRIGGER `comments_home_guard` BEFORE INSERT ON `comments`
WHEN (SELECT `comments_home` FROM `videos` WHERE `id` = NEW.`video_id`) = 1
BEGIN
	SELECT RAISE(ABORT, 'comments_moved');
END;--> statement-breakpoint
-- What readers read, as `COMMENTS` holds it: each comment with its channel, its author's name
-- and standing. LEFT JOINs on primary keys, so SQLite leaves out a join whose columns a
-- statement does not use.
CREATE VIEW `comments_full` AS
	SELECT c.`id`, c.`video_id`, v.`channel_id`, c.`parent_id`, c.`user_id`, u.`username`,
		u.`suspended_until` IS NOT NULL AS `author_suspended`, c.`content`, c.`status`, c.`deleted`,
		c.`reply_count`, c.`created_at`
	FROM `comments` c LEFT JOIN `users` u ON u.`id` = c.`user_id` LEFT JOIN `videos` v ON v.`id` = c.`video_id`;
