-- The `COMMENTS` database (binding COMMENTS, wrangler.toml): comments and replies, out of the
-- catalogue's `DB` (issue 23; docs/capacity.md, "The comments move"). A video's comments live
-- in one database at a time: `DB` until the cron moves them here through the video's room
-- (`videos.comments_home`, `DB`'s migration 0026), here from then on; a video made since 0026
-- starts here.
--
-- Nothing here refers to `DB` (another database), so each comment carries what its lists used
-- to join: its video's channel (the owner's held queue reads across the channel's videos), its
-- author's name (usernames never change) and whether the author is suspended (kept by the
-- suspension and its lift, services/moderation.ts). A deleted video's comments are deleted
-- here by its deletion (services/videos.ts); there is no cascade across databases.
CREATE TABLE `comments` (
	`id` text PRIMARY KEY NOT NULL,
	`video_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`parent_id` text,
	`user_id` text NOT NULL,
	`username` text NOT NULL,
	`author_suspended` integer DEFAULT 0 NOT NULL,
	`content` text NOT NULL,
	`status` text DEFAULT 'published' NOT NULL,
	`deleted` integer DEFAULT 0 NOT NULL,
	`reply_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
-- `DB`'s indexes as migration 0025 left them.
CREATE INDEX `comments_video_parent_created` ON `comments` (`video_id`,`parent_id`,`created_at`);
CREATE INDEX `comments_top` ON `comments` (`video_id`,`parent_id`,`reply_count`) WHERE "comments"."parent_id" IS NULL;
CREATE INDEX `comments_user_created` ON `comments` (`user_id`,`created_at`);
-- The channel owner's queue of held comments, newest first.
CREATE INDEX `comments_held` ON `comments` (`channel_id`,`created_at`) WHERE `status` = 'held' AND `deleted` = 0;
-- What readers read, in both databases alike (`DB`'s view joins the author and the video):
-- one set of statements (storage/comments.ts) serves a video wherever its comments are.
CREATE VIEW `comments_full` AS
	SELECT `id`, `video_id`, `channel_id`, `parent_id`, `user_id`, `username`, `author_suspended`, `content`,
		`status`, `deleted`, `reply_count`, `created_at`
	FROM `comments`;
