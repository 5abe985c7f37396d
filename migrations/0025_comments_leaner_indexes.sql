-- Comments keep two indexes fewer bytes' worth (issue 23, docs/capacity.md "Comments"): 33 B
-- of 359 a comment, measured by `npm run sim:growth` on the same rows, 0.7 GB of the 7.8 a
-- year's comments take. The index by parent alone goes: every reader of a comment's replies
-- knows its video, and finds them by (video, parent, created_at), the index a video's
-- top-level comments are read by (storage/comments.ts). The "top" order's index keeps only
-- top-level comments, the only ones read in that order (replies read oldest first); it names
-- the parent column (null in each of its rows, one byte) so that SQLite prefers it for that
-- order over the other index, which matches as many columns but must sort. The planned
-- comments database (by video) takes the same indexes.
DROP INDEX `comments_video_parent_replies`;--> statement-breakpoint
DROP INDEX `comments_parent_created`;--> statement-breakpoint
CREATE INDEX `comments_top` ON `comments` (`video_id`,`parent_id`,`reply_count`) WHERE "comments"."parent_id" IS NULL;
