-- Step 3 of the captions move (issue 23, docs/capacity.md "The captions move"): this
-- database's caption cues and their transcript index are dropped. Since 0023 every saved track
-- keeps its cues in the `CAPTIONS` database, and the cron of the release before this one moved
-- the tracks saved earlier there, a run's budget at a time (`moveTracks`, gone with this
-- migration). Transcript search then reads one index, `CAPTIONS`'.
--
-- A cue the cron had not moved yet is a transcript that lives nowhere else, so the migration
-- refuses to run while `caption_cues` holds one (`CHECK constraint failed:
-- caption_cues_not_yet_moved`), and D1 rolls the whole migration back. Then deploy the
-- release before this one again and let its cron finish (README, "Deploying"). The triggers
-- that kept the index go first: the one that made a deleted track take its cues (a delete
-- would fail once the table is gone), the cues' own, and the search documents' that indexed
-- a video's cues when it became searchable. The search version triggers on `captions` stay.
CREATE TABLE `moved` (
	`caption_cues` integer CONSTRAINT `caption_cues_not_yet_moved` CHECK (`caption_cues` = 0)
);--> statement-breakpoint
INSERT INTO `moved` SELECT EXISTS (SELECT 1 FROM `caption_cues`);--> statement-breakpoint
DROP TABLE `moved`;--> statement-breakpoint
DROP TRIGGER `captions_cues_bd`;--> statement-breakpoint
DROP TRIGGER `caption_cues_ai`;--> statement-breakpoint
DROP TRIGGER `caption_cues_ad`;--> statement-breakpoint
DROP TRIGGER `search_documents_transcript_ai`;--> statement-breakpoint
DROP TRIGGER `search_documents_transcript_ad`;--> statement-breakpoint
DROP TABLE `transcript_search`;--> statement-breakpoint
DROP TABLE `caption_cues`;
