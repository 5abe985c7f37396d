-- The `CAPTIONS` database (binding CAPTIONS, wrangler.toml): caption cues and their transcript
-- index, out of the catalogue's `DB` (issue 23; docs/capacity.md, "The captions move"). The
-- track rows stay in `DB` (`captions`), each naming its cues here by `cues_key`.
--
-- A `caption_tracks` row is one saved version of a track, written here with its cues in one
-- batch before `DB`'s row names it by key (`id`). AUTOINCREMENT: a key is never used twice, so
-- no row can come to name another version's cues; and keys grow, so cues are appended to the
-- (track, start_ms) index, whose pages stay full (random keys cost 14 B a cue more, measured
-- by `npm run sim:growth`). Nothing here refers to `DB` (another database): a version no row
-- names (replaced, deleted, its video gone, a save cut short) is swept by the cron once it is
-- an hour old (`created_at`). The video id is for the moments a search shows, which read each
-- of a video's tracks' newest versions, and for a deleted video's versions.
CREATE TABLE `caption_tracks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`video_id` text NOT NULL,
	`language` text NOT NULL,
	`created_at` integer NOT NULL
);
CREATE INDEX `caption_tracks_video` ON `caption_tracks` (`video_id`, `language`, `created_at`);

-- As `DB`'s caption_cues since migration 0021: a cue names its track by number.
CREATE TABLE `caption_cues` (
	`id` integer PRIMARY KEY NOT NULL,
	`track` integer NOT NULL,
	`start_ms` integer NOT NULL,
	`end_ms` integer NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`track`) REFERENCES `caption_tracks`(`id`) ON UPDATE no action ON DELETE cascade
);
CREATE INDEX `caption_cues_track` ON `caption_cues` (`track`, `start_ms`);

-- Every cue is indexed, whatever its video's visibility: no trigger here can read `DB`'s
-- search documents, so transcript search applies listability when it resolves the tracks it
-- found (storage/search.ts). The same tokenizer as `DB`'s index (migration 0011).
CREATE VIRTUAL TABLE `transcript_search` USING fts5(
	text,
	content='caption_cues', content_rowid='id',
	tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER `caption_cues_ai` AFTER INSERT ON `caption_cues` BEGIN
	INSERT INTO transcript_search (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER `caption_cues_ad` AFTER DELETE ON `caption_cues` BEGIN
	INSERT INTO transcript_search (transcript_search, rowid, text) VALUES ('delete', old.id, old.text);
END;
