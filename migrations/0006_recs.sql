-- Recommendations (issue 11, second half): content vectors and per-viewer recommendation state.

-- The local vector index (VECTOR_BACKEND=local; production uses Vectorize). Each index
-- belongs to one embedder, claimed by its first write: vectors of another embedder are
-- refused, since vectors of two models are not comparable.
CREATE TABLE `vector_indexes` (
	`name` text PRIMARY KEY NOT NULL,
	`embedder` text NOT NULL,
	`dimensions` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
-- Vectors as little-endian float32 blobs; metadata is JSON for the filters Vectorize offers.
CREATE TABLE `vector_entries` (
	`index_name` text NOT NULL,
	`id` text NOT NULL,
	`vector` blob NOT NULL,
	`metadata` text DEFAULT '{}' NOT NULL,
	PRIMARY KEY(`index_name`, `id`)
);
--> statement-breakpoint
-- What each video's current vector was made from (in either backend), so an edit that does
-- not change title, description or tags costs no embedding, and a new embedder re-embeds.
CREATE TABLE `video_embeddings` (
	`video_id` text PRIMARY KEY NOT NULL,
	`embedder` text NOT NULL,
	`content_hash` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`video_id`) REFERENCES `videos`(`id`) ON UPDATE no action ON DELETE cascade
);
