-- No schema change. Migrations 0004-0006 were written by hand (FTS5 tables and triggers,
-- which drizzle-kit cannot express, beside ordinary tables). This entry brings drizzle-kit's
-- snapshot (meta/0007_snapshot.json) level with workers/storage/schema.ts, so the next
-- `drizzle-kit generate` writes only what changes after it. Checked when it was made: the
-- tables and indexes of 0000-0006 equal those drizzle-kit generates from the schema.
SELECT 1;
