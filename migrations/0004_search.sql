-- Search (seed: Search Flow) on SQLite FTS5 in D1.
--
-- Hand-written, not generated: drizzle-kit cannot express FTS5 virtual tables or triggers.
-- The ordinary tables here (search_documents, search_words, search_word_trigrams,
-- search_meta) are also described in workers/storage/schema.ts so queries are typed.
--
-- The index follows the videos table by triggers, so every write that changes what is
-- searchable (a video becoming ready, an edit, a visibility change, a delete, a channel
-- rename) changes the index in the same statement, and so in the same batch() and the same
-- transaction, whichever code path makes it. Only public, ready videos have a document.
--
-- Never run FTS5's 'integrity-check' command on D1 (it has corrupted indexes there), and
-- note that `wrangler d1 export` refuses a database holding virtual tables.

-- One row per searchable video. FTS5 reads title and description back from here for
-- highlight() and snippet(), which an external-content table allows and content='' does not.
-- An INTEGER PRIMARY KEY gives the FTS rows a stable rowid (videos' implicit rowid may change
-- on VACUUM, the text id cannot be an FTS rowid).
CREATE TABLE `search_documents` (
	`id` integer PRIMARY KEY NOT NULL,
	`video_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`tags` text NOT NULL,
	`channel_name` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_documents_video` ON `search_documents` (`video_id`);
--> statement-breakpoint
-- Ranked search: porter stemming over unicode61 without diacritics ("baking" finds "baked",
-- "creme brulee" finds "Crème brûlée"); prefix indexes of 2 and 3 characters make the
-- search-as-you-type prefix term cheap.
CREATE VIRTUAL TABLE `video_search` USING fts5(
	title, description, tags, channel_name,
	content='search_documents', content_rowid='id',
	tokenize='porter unicode61 remove_diacritics 2',
	prefix='2 3'
);
--> statement-breakpoint
-- The same text without stemming, only to learn the words people can type (porter's stems,
-- such as "chocol", are no words to suggest or correct to). detail=none keeps it small: it
-- holds which documents have a word, nothing else.
CREATE VIRTUAL TABLE `video_words` USING fts5(
	title, description, tags, channel_name,
	content='search_documents', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2',
	detail=none
);
--> statement-breakpoint
CREATE VIRTUAL TABLE `video_words_vocab` USING fts5vocab(`video_words`, 'row');
--> statement-breakpoint
-- The vocabulary (word, number of documents) and a trigram index over it: D1 has no
-- spellfix1, so typo candidates are the words sharing trigrams with a typed word, then
-- filtered by edit distance in the Worker. Refreshed from video_words_vocab by the cron.
CREATE TABLE `search_words` (
	`word` text PRIMARY KEY NOT NULL,
	`docs` integer NOT NULL,
	-- 1 once the word's trigrams are in search_word_trigrams.
	`grams` integer DEFAULT 0 NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `search_words_grams` ON `search_words` (`grams`);
--> statement-breakpoint
CREATE TABLE `search_word_trigrams` (
	`gram` text NOT NULL,
	`word` text NOT NULL,
	PRIMARY KEY (`gram`, `word`)
) WITHOUT ROWID;
--> statement-breakpoint
-- `version` goes up whenever a video leaves the searchable set (or its text changes): it is
-- part of every cached search answer's key, so such a video leaves every answer at once.
CREATE TABLE `search_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `search_meta` (`key`, `value`) VALUES ('version', 0);
--> statement-breakpoint
CREATE TRIGGER `search_documents_ai` AFTER INSERT ON `search_documents` BEGIN
	INSERT INTO video_search (rowid, title, description, tags, channel_name)
		VALUES (new.id, new.title, new.description, new.tags, new.channel_name);
	INSERT INTO video_words (rowid, title, description, tags, channel_name)
		VALUES (new.id, new.title, new.description, new.tags, new.channel_name);
END;
--> statement-breakpoint
CREATE TRIGGER `search_documents_ad` AFTER DELETE ON `search_documents` BEGIN
	INSERT INTO video_search (video_search, rowid, title, description, tags, channel_name)
		VALUES ('delete', old.id, old.title, old.description, old.tags, old.channel_name);
	INSERT INTO video_words (video_words, rowid, title, description, tags, channel_name)
		VALUES ('delete', old.id, old.title, old.description, old.tags, old.channel_name);
	UPDATE search_meta SET value = value + 1 WHERE key = 'version';
END;
--> statement-breakpoint
CREATE TRIGGER `search_documents_au` AFTER UPDATE ON `search_documents` BEGIN
	INSERT INTO video_search (video_search, rowid, title, description, tags, channel_name)
		VALUES ('delete', old.id, old.title, old.description, old.tags, old.channel_name);
	INSERT INTO video_words (video_words, rowid, title, description, tags, channel_name)
		VALUES ('delete', old.id, old.title, old.description, old.tags, old.channel_name);
	INSERT INTO video_search (rowid, title, description, tags, channel_name)
		VALUES (new.id, new.title, new.description, new.tags, new.channel_name);
	INSERT INTO video_words (rowid, title, description, tags, channel_name)
		VALUES (new.id, new.title, new.description, new.tags, new.channel_name);
	UPDATE search_meta SET value = value + 1 WHERE key = 'version';
END;
--> statement-breakpoint
-- A video's document: present exactly while it is public and ready. Tags are stored as one
-- space-separated string (the column holds a JSON array).
CREATE TRIGGER `videos_search_insert` AFTER INSERT ON `videos`
WHEN new.visibility = 'public' AND new.status = 'ready' BEGIN
	INSERT INTO search_documents (video_id, title, description, tags, channel_name)
		SELECT new.id, new.title, new.description,
			coalesce((SELECT group_concat(value, ' ') FROM json_each(new.tags)), ''), c.name
		FROM channels c WHERE c.id = new.channel_id;
END;
--> statement-breakpoint
-- Only these columns change a document; counters, progress and the like never fire it.
CREATE TRIGGER `videos_search_update`
AFTER UPDATE OF title, description, tags, visibility, status, channel_id ON `videos` BEGIN
	DELETE FROM search_documents
		WHERE video_id = old.id AND NOT (new.visibility = 'public' AND new.status = 'ready');
	INSERT INTO search_documents (video_id, title, description, tags, channel_name)
		SELECT new.id, new.title, new.description,
			coalesce((SELECT group_concat(value, ' ') FROM json_each(new.tags)), ''), c.name
		FROM channels c
		WHERE c.id = new.channel_id AND new.visibility = 'public' AND new.status = 'ready'
		ON CONFLICT (video_id) DO UPDATE SET
			title = excluded.title, description = excluded.description,
			tags = excluded.tags, channel_name = excluded.channel_name
		WHERE title IS NOT excluded.title OR description IS NOT excluded.description
			OR tags IS NOT excluded.tags OR channel_name IS NOT excluded.channel_name;
END;
--> statement-breakpoint
CREATE TRIGGER `videos_search_delete` AFTER DELETE ON `videos` BEGIN
	DELETE FROM search_documents WHERE video_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `channels_search_rename` AFTER UPDATE OF name ON `channels` BEGIN
	UPDATE search_documents SET channel_name = new.name
		WHERE video_id IN (SELECT id FROM videos WHERE channel_id = new.id) AND channel_name IS NOT new.name;
END;
--> statement-breakpoint
-- Videos that were already public and ready before this migration.
INSERT INTO search_documents (video_id, title, description, tags, channel_name)
	SELECT v.id, v.title, v.description,
		coalesce((SELECT group_concat(value, ' ') FROM json_each(v.tags)), ''), c.name
	FROM videos v JOIN channels c ON c.id = v.channel_id
	WHERE v.visibility = 'public' AND v.status = 'ready';
