-- Step 3 of the comments move (issue 23, docs/capacity.md "The comments move"): this
-- database's comments are dropped. Since 0026 every new video's comments are in the
-- `COMMENTS` database, and the cron of the release before this one moved the older videos'
-- there through each video's room (`moveComments`, gone with this migration). Comments are
-- then read and written in `COMMENTS` alone.
--
-- A comment the cron had not moved yet lives nowhere else, so the migration refuses to run
-- while `comments` holds one (`CHECK constraint failed: comments_not_yet_moved`), and D1 rolls
-- the whole migration back. Then deploy the release before this one again and let its cron
-- finish (README, "Deploying"). The guard that refused comments for a moved video and the view
-- both databases read go first; `videos.comments_home` stays (dropping a column rewrites every
-- row of `videos`), its index goes. `COMMENTS` keeps its own view (unused since), so that the
-- release before this one still runs there if it must be deployed again.
CREATE TABLE `moved` (
	`comments` integer CONSTRAINT `comments_not_yet_moved` CHECK (`comments` = 0)
);--> statement-breakpoint
INSERT INTO `moved` SELECT EXISTS (SELECT 1 FROM `comments`);--> statement-breakpoint
DROP TABLE `moved`;--> statement-breakpoint
DROP TRIGGER `comments_home_guard`;--> statement-breakpoint
DROP VIEW `comments_full`;--> statement-breakpoint
DROP TABLE `comments`;--> statement-breakpoint
DROP INDEX `videos_comments_in_db`;
