import { eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../env";
import { searchMeta, searchWords } from "./schema";

/**
 * Every query on the search tables (migrations/0004_search.sql). The documents themselves
 * are written by triggers on `videos` and `channels`; nothing here writes them.
 */

/** bm25 column weights, in the FTS table's column order (seed: title 3, description 2, tags 1.5). */
export const BM25_WEIGHTS = { title: 3, description: 2, tags: 1.5, channel_name: 1 } as const;
const bm25 = sql.raw(`bm25(video_search, ${Object.values(BM25_WEIGHTS).join(", ")})`);

/** Filters on the video, mapped to columns here and nowhere else. */
export interface SearchFilters {
  category?: string;
  /** Milliseconds, inclusive lower and exclusive upper bound. */
  durationMs?: { min?: number; max?: number };
  publishedAfter?: Date;
  minViews?: number;
  channelId?: string;
}

function filterClauses(f: SearchFilters): SQL[] {
  const out: SQL[] = [];
  if (f.category !== undefined) out.push(sql`v.category = ${f.category}`);
  if (f.durationMs?.min !== undefined) out.push(sql`v.duration_ms >= ${f.durationMs.min}`);
  if (f.durationMs?.max !== undefined) out.push(sql`v.duration_ms < ${f.durationMs.max}`);
  if (f.publishedAfter) out.push(sql`v.published_at >= ${f.publishedAfter.getTime()}`);
  if (f.minViews !== undefined) out.push(sql`v.view_count >= ${f.minViews}`);
  if (f.channelId !== undefined) out.push(sql`v.channel_id = ${f.channelId}`);
  return out;
}

export interface Candidate {
  rowid: number;
  video_id: string;
  /** bm25 as FTS5 gives it: negative, lower is better. */
  score: number;
  title: string;
  view_count: number;
  published_at: number | null;
  verified: number;
}

/**
 * The best `cap` matches of an FTS5 query with what ranking needs. Without filters, FTS5
 * ranks inside a subquery with a LIMIT, so only `cap` rows are joined to videos however
 * many match (a word in most videos costs one bm25 pass, not 100,000 joins). With filters
 * the filter must apply before the LIMIT, or a narrow filter would find nothing among the
 * best matches overall. `newest` takes the highest rowids (documents in insertion order)
 * instead of the best scores, for sort=date.
 */
export async function candidates(
  db: Database,
  match: string,
  filters: SearchFilters,
  cap: number,
  order: "score" | "newest" = "score",
): Promise<Candidate[]> {
  const where = filterClauses(filters);
  const orderBy = order === "newest" ? sql`s.rowid DESC` : sql`score`;
  const listable = sql`v.visibility = 'public' AND v.status = 'ready'`;
  const columns = sql`d.id AS rowid, d.video_id, s.score, d.title, v.view_count, v.published_at, c.verified`;
  if (!where.length) {
    return db.all<Candidate>(sql`
      SELECT ${columns}
      FROM (SELECT rowid, ${bm25} AS score FROM video_search WHERE video_search MATCH ${match}
            ORDER BY ${order === "newest" ? sql`rowid DESC` : sql`score`} LIMIT ${cap}) s
      JOIN search_documents d ON d.id = s.rowid
      JOIN videos v ON v.id = d.video_id
      JOIN channels c ON c.id = v.channel_id
      WHERE ${listable}`);
  }
  return db.all<Candidate>(sql`
    SELECT ${columns}
    FROM (SELECT rowid, ${bm25} AS score FROM video_search WHERE video_search MATCH ${match}) s
    JOIN search_documents d ON d.id = s.rowid
    JOIN videos v ON v.id = d.video_id
    JOIN channels c ON c.id = v.channel_id
    WHERE ${listable} AND ${sql.join(where, sql` AND `)}
    ORDER BY ${orderBy} LIMIT ${cap}`);
}

/** Title and a description snippet of each document with the query's matches between `open` and `close`. */
export async function highlights(db: Database, match: string, rowids: readonly number[], open: string, close: string) {
  if (!rowids.length) return new Map<number, { title: string; description: string }>();
  const rows = await db.all<{ rowid: number; title: string; description: string }>(sql`
    SELECT rowid,
      highlight(video_search, 0, ${open}, ${close}) AS title,
      snippet(video_search, 1, ${open}, ${close}, '…', 24) AS description
    FROM video_search
    WHERE video_search MATCH ${match} AND rowid IN (SELECT value FROM json_each(${JSON.stringify(rowids)}))`);
  return new Map(rows.map((r) => [r.rowid, { title: r.title, description: r.description }]));
}

/** Distinct titles matching a title-only query, best first (completions). */
export async function matchingTitles(db: Database, match: string, limit: number): Promise<string[]> {
  const rows = await db.all<{ title: string }>(sql`
    SELECT d.title FROM (
      SELECT rowid, ${bm25} AS score FROM video_search WHERE video_search MATCH ${match} ORDER BY score LIMIT ${limit * 3}
    ) s JOIN search_documents d ON d.id = s.rowid
    ORDER BY s.score`);
  return rows.map((r) => r.title);
}

/** The most common indexed words beginning with `prefix`. */
export async function wordsStartingWith(db: Database, prefix: string, limit: number): Promise<string[]> {
  const rows = await db.all<{ word: string }>(sql`
    SELECT word FROM (
      SELECT word, docs FROM search_words WHERE word >= ${prefix} AND word < ${`${prefix}\u{10FFFF}`} LIMIT 2000
    ) ORDER BY docs DESC, word LIMIT ${limit}`);
  return rows.map((r) => r.word);
}

/** Which of `words` are indexed words, and which of `prefixes` begin one. */
export async function knownWords(db: Database, words: readonly string[]): Promise<Set<string>> {
  if (!words.length) return new Set();
  const rows = await db.select({ word: searchWords.word }).from(searchWords).where(inArray(searchWords.word, words));
  return new Set(rows.map((r) => r.word));
}

export async function beginsAWord(db: Database, prefix: string): Promise<boolean> {
  const rows = await wordsStartingWith(db, prefix, 1);
  return rows.length > 0;
}

/**
 * Words sharing the most trigrams with `grams`, of a length within `[minLength, maxLength]`:
 * the typo candidates, to be filtered by edit distance.
 */
export async function trigramNeighbours(
  db: Database,
  grams: readonly string[],
  minLength: number,
  maxLength: number,
  limit = 60,
) {
  return db.all<{ word: string; docs: number; shared: number }>(sql`
    SELECT t.word, w.docs, count(*) AS shared
    FROM search_word_trigrams t JOIN search_words w ON w.word = t.word
    WHERE t.gram IN (SELECT value FROM json_each(${JSON.stringify(grams)}))
      AND length(t.word) BETWEEN ${minLength} AND ${maxLength}
    GROUP BY t.word ORDER BY shared DESC, w.docs DESC LIMIT ${limit}`);
}

/** The version every cached search answer is keyed by. */
export async function searchVersion(db: Database): Promise<number> {
  const row = await db.select({ value: searchMeta.value }).from(searchMeta).where(eq(searchMeta.key, "version")).get();
  return row?.value ?? 0;
}

/** Words a typo is corrected to have at least this many letters (the shortest correctable word, less one). */
const MIN_GRAM_WORD = 4;
/** Rows per bulk statement (passed as one JSON parameter, clear of D1's 100-parameter limit). */
const BULK = 500;

/**
 * Brings the vocabulary up to date with the plain-word index (cron, every 5 minutes): new
 * words in, counts refreshed, vanished words out, trigrams for words not yet indexed.
 * Returns how many words gained trigrams.
 */
export async function refreshVocabulary(db: Database, trigramsOf: (word: string) => string[]): Promise<number> {
  // Statements one by one: each is idempotent, so a run cut short is finished by the next.
  await db.run(sql`DELETE FROM search_word_trigrams WHERE word IN (
    SELECT word FROM search_words WHERE word NOT IN (SELECT term FROM video_words_vocab))`);
  await db.run(sql`DELETE FROM search_words WHERE word NOT IN (SELECT term FROM video_words_vocab)`);
  await db.run(sql`INSERT INTO search_words (word, docs) SELECT term, doc FROM video_words_vocab WHERE true
    ON CONFLICT (word) DO UPDATE SET docs = excluded.docs WHERE docs <> excluded.docs`);
  let added = 0;
  for (;;) {
    const fresh = await db
      .select({ word: searchWords.word })
      .from(searchWords)
      .where(eq(searchWords.grams, 0))
      .limit(BULK);
    if (!fresh.length) return added;
    const words = fresh.map((r) => r.word);
    const pairs = words.filter((w) => [...w].length >= MIN_GRAM_WORD).flatMap((w) => trigramsOf(w).map((g) => [g, w]));
    for (let i = 0; i < pairs.length; i += BULK * 4) {
      await db.run(sql`INSERT OR IGNORE INTO search_word_trigrams (gram, word)
        SELECT value ->> 0, value ->> 1 FROM json_each(${JSON.stringify(pairs.slice(i, i + BULK * 4))})`);
    }
    await db.run(
      sql`UPDATE search_words SET grams = 1 WHERE word IN (SELECT value FROM json_each(${JSON.stringify(words)}))`,
    );
    added += words.length;
  }
}
