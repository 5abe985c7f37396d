-- Caption cues name their track by number (issue 23's capacity model, docs/capacity.md).
-- `caption_cues` is the catalogue's largest table after a year (64 million cues at 1 million
-- videos, 30% captioned), and every cue carried its video's id and language twice: in its row
-- and in the (video_id, language, start_ms) index. `captions` gets an integer key (`id`, the
-- rowid it already had; the (video_id, language) pair stays unique), and a cue names that
-- (`track`), indexed by (track, start_ms). Measured by `npm run sim:growth`: 129 -> 91 B a cue;
-- at 1 million videos, 8.3 GB -> 5.9 GB after a year.
--
-- The cue ids do not change, so `transcript_search` (external content over caption_cues by id)
-- stays valid as it is; only what its triggers read changes: a cue's video is its track's.
-- Order: the triggers that read the old columns go first (a rename re-reads every trigger),
-- then `captions` is rebuilt (the cues' new foreign key names its `id`), then `caption_cues`,
-- then the triggers again, plus one: a track deletes its cues before it goes (below). Each
-- trigger reads its track by key first (CROSS JOIN fixes SQLite's order), so writing a cue
-- never scans the search documents. Hand-written: drizzle-kit rebuilds with PRAGMA
-- foreign_keys=OFF, which D1 ignores inside a migration.
DROP TRIGGER `caption_cues_ai`;
DROP TRIGGER `caption_cues_ad`;
DROP TRIGGER `search_documents_transcript_ai`;
DROP TRIGGER `search_documents_transcript_ad`;

CREATE TABLE `captions_new` (
	`id` integer PRIMARY KEY NOT NULL,
	`video_id` text NOT NULL,
	`language` text NOT NULL,
	`label` text NOT NULL,
	`source` text NOT NULL,
	`status` text NOT NULL,
	`rev` text,
	`cue_count` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
INSERT INTO `captions_new` (`id`, `video_id`, `language`, `label`, `source`, `status`, `rev`, `cue_count`, `error`, `created_at`, `updated_at`)
	SELECT rowid, `video_id`, `language`, `label`, `source`, `status`, `rev`, `cue_count`, `error`, `created_at`, `updated_at` FROM `captions`;
DROP TABLE `captions`;
ALTER TABLE `captions_new` RENAME TO `captions`;
CREATE UNIQUE INDEX `captions_video_language` ON `captions` (`video_id`,`language`);

-- Cues without a track row (none are written so: a track and its cues are one batch) would
-- have nowhere to go; their entries leave the search index before they do.
INSERT INTO `transcript_search` (`transcript_search`, rowid, `text`)
	SELECT 'delete', q.`id`, q.`text` FROM `caption_cues` q
	WHERE NOT EXISTS (SELECT 1 FROM `captions` k WHERE k.`video_id` = q.`video_id` AND k.`language` = q.`language`)
		AND EXISTS (SELECT 1 FROM `search_documents` d WHERE d.`video_id` = q.`video_id`);
CREATE TABLE `caption_cues_new` (
	`id` integer PRIMARY KEY NOT NULL,
	`track` integer NOT NULL,
	`start_ms` integer NOT NULL,
	`end_ms` integer NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`track`) REFERENCES `captions`(`id`) ON UPDATE no action ON DELETE cascade
);
INSERT INTO `caption_cues_new` (`id`, `track`, `start_ms`, `end_ms`, `text`)
	SELECT q.`id`, k.`id`, q.`start_ms`, q.`end_ms`, q.`text`
	FROM `caption_cues` q CROSS JOIN `captions` k ON k.`video_id` = q.`video_id` AND k.`language` = q.`language`
	ORDER BY q.`id`;
DROP TABLE `caption_cues`;
ALTER TABLE `caption_cues_new` RENAME TO `caption_cues`;
CREATE INDEX `caption_cues_track` ON `caption_cues` (`track`,`start_ms`);

-- 0011's triggers, the cue's video read through its track.
CREATE TRIGGER `caption_cues_ai` AFTER INSERT ON `caption_cues`
WHEN EXISTS (SELECT 1 FROM captions k CROSS JOIN search_documents d ON d.video_id = k.video_id WHERE k.id = new.track) BEGIN
	INSERT INTO transcript_search (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER `caption_cues_ad` AFTER DELETE ON `caption_cues`
WHEN EXISTS (SELECT 1 FROM captions k CROSS JOIN search_documents d ON d.video_id = k.video_id WHERE k.id = old.track) BEGIN
	INSERT INTO transcript_search (transcript_search, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER `search_documents_transcript_ai` AFTER INSERT ON `search_documents` BEGIN
	INSERT INTO transcript_search (rowid, text)
		SELECT q.id, q.text FROM captions k CROSS JOIN caption_cues q ON q.track = k.id WHERE k.video_id = new.video_id;
END;
CREATE TRIGGER `search_documents_transcript_ad` AFTER DELETE ON `search_documents` BEGIN
	INSERT INTO transcript_search (transcript_search, rowid, text)
		SELECT 'delete', q.id, q.text FROM captions k CROSS JOIN caption_cues q ON q.track = k.id WHERE k.video_id = old.video_id;
END;
-- A track that goes takes its cues first, while its row still names their video: the cascade
-- from a deleted video reaches the tracks before the video's search document goes, and a cue
-- deleted by the foreign key after its track would no longer find its video, and stay indexed.
CREATE TRIGGER `captions_cues_bd` BEFORE DELETE ON `captions` BEGIN
	DELETE FROM caption_cues WHERE track = old.id;
END;
CREATE TRIGGER `captions_search_version_ai` AFTER INSERT ON `captions` BEGIN
	UPDATE search_meta SET value = value + 1 WHERE key = 'version';
END;
CREATE TRIGGER `captions_search_version_au` AFTER UPDATE OF rev, status ON `captions` BEGIN
	UPDATE search_meta SET value = value + 1 WHERE key = 'version';
END;
CREATE TRIGGER `captions_search_version_ad` AFTER DELETE ON `captions` BEGIN
	UPDATE search_meta SET value = value + 1 WHERE key = 'version';
END;
