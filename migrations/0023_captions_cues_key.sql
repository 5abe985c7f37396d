-- Caption cues move to a database of their own, `CAPTIONS` (migrations/captions; issue 23,
-- docs/capacity.md "The captions move"). Cues and their transcript index are 8.1 of the
-- catalogue's 31.6 GB after a year at the model's rates; the track rows (314,000 a year) stay
-- here, beside the videos they are read with, and each now says where its cues live:
-- `cues_key` null: in this database's `caption_cues` (every track saved before this release,
-- until the cron moves it); else the key of its cues' `caption_tracks` row in `CAPTIONS`.
-- A track's every saved version gets a new key (never used before), written there first and
-- named here after, so no row ever names cues that are not all there (storage/captions.ts). Unique: transcript
-- search finds cues in `CAPTIONS` and resolves their tracks here by key.
ALTER TABLE `captions` ADD `cues_key` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `captions_cues_key` ON `captions` (`cues_key`) WHERE "captions"."cues_key" IS NOT NULL;
