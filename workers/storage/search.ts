import { eq, sql } from "drizzle-orm";
import type { D1Client, Database } from "../env";
import type { CueDatabase } from "./caption-cues";
import { searchMeta, searchWords } from "./schema";
import { LISTABLE_SQL, type SummaryRow } from "./videos";

/**
 * Every query on the search tables (migrations/0004_search.sql). The documents themselves
 * are written by triggers on `videos` and `channels`; nothing here writes them.
 *
 * Queries are built as statements and sent together with `runAll`, one D1 round trip per
 * step of a search, since round trips, not SQLite, are most of a search's time.
 */

/** A statement and the row type it yields. */
export interface Query<T> {
  statement: D1PreparedStatement;
  /** Type only: what a row of the statement looks like. */
  readonly row?: T;
}

type Rows<Q> = { [K in keyof Q]: Q[K] extends Query<infer T> ? T[] : never };

/** Runs the statements in one batch (one round trip); the rows of each, in order. */
export async function runAll<Q extends readonly Query<unknown>[]>(
  db: Database | CueDatabase,
  queries: Q,
): Promise<Rows<Q>> {
  if (!queries.length) return [] as Rows<Q>;
  const results = await clientOf(db).batch(queries.map((q) => q.statement));
  return results.map((r) => r.results) as Rows<Q>;
}

/** Statements go to the catalogue's client, or straight to the captions database's binding. */
const clientOf = (db: Database | CueDatabase): D1Client => ("$client" in db ? db.$client : db);

const query = <T>(db: Database | CueDatabase, text: string, ...params: unknown[]): Query<T> => ({
  statement: clientOf(db)
    .prepare(text)
    .bind(...params),
});

/**
 * bm25 column weights, in the FTS table's column order (seed: title 3, description 2, tags
 * 1.5); the category token is a filter, not text (migrations/0012_search_category.sql).
 */
export const BM25_WEIGHTS = { title: 3, description: 2, tags: 1.5, channel_name: 1, category_key: 0 } as const;
const BM25 = `bm25(video_search, ${Object.values(BM25_WEIGHTS).join(", ")})`;

/**
 * A query matching more documents than this ranks only its newest this-many matches (a
 * category is part of the match, so these are the newest in the category): FTS5
 * walks the doclists newest first and stops there, so a word in most videos costs no more
 * than one in 2,000. A query this broad has no meaningful text ranking left across the whole
 * catalogue, and views and recency order it anyway.
 */
export const RANK_WINDOW = 2_000;
/**
 * The same bound when filters other than a channel or a category apply after the match (a
 * duration, a date, a view count: they may keep few of the window). Each match in it is
 * joined to its search_filters row, which is most of such a search's time: measured at
 * 100,000 videos, two common words and a category (before the category joined the match)
 * took 43-44 ms at the median joined through search_documents and videos, 25-27 ms through
 * search_filters. bm25 then runs only for the rows the filters keep.
 */
export const FILTERED_WINDOW = 10_000;

/** Filters on the video, mapped to columns here and nowhere else. */
export interface SearchFilters {
  category?: string;
  /** Milliseconds, inclusive lower and exclusive upper bound. */
  durationMs?: { min?: number; max?: number };
  publishedAfter?: Date;
  minViews?: number;
  channelId?: string;
}

/**
 * The filters as SQL over `t`, videos (`v`) or search_filters (`x`, which has the same
 * columns but the channel's), their parameters numbered from `first`, the same numbers and
 * parameters over either. Over search_filters the category has no clause: it is part of the
 * match there (`matchIn`), which reads it from parameter `first`.
 */
function filterClauses(f: SearchFilters, first: number, t: "v" | "x"): { text: string; params: unknown[] } {
  const parts: [string | undefined, unknown][] = [];
  if (f.category !== undefined) parts.push([t === "v" ? "v.category =" : undefined, f.category]);
  if (f.durationMs?.min !== undefined) parts.push([`${t}.duration_ms >=`, f.durationMs.min]);
  if (f.durationMs?.max !== undefined) parts.push([`${t}.duration_ms <`, f.durationMs.max]);
  if (f.publishedAfter) parts.push([`${t}.published_at >=`, f.publishedAfter.getTime()]);
  if (f.minViews !== undefined) parts.push([`${t}.view_count >=`, f.minViews]);
  if (f.channelId !== undefined) parts.push(["v.channel_id =", f.channelId]);
  return {
    text: parts.map(([c], i) => (c ? ` AND ${c} ?${first + i}` : "")).join(""),
    params: parts.map(([, p]) => p),
  };
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
 * From the FTS matches to their videos. CROSS JOIN fixes that order: left to itself, the
 * planner starts from videos by the status index and probes the matches for every ready
 * video (measured: 70 ms instead of 4 for a rare word at 30,000 videos).
 */
const JOINS = `CROSS JOIN search_documents d ON d.id = s.rowid CROSS JOIN videos v ON v.id = d.video_id
  CROSS JOIN channels c ON c.id = v.channel_id`;
const CANDIDATE_COLUMNS = "d.id AS rowid, d.video_id, s.score, d.title, v.view_count, v.published_at, c.verified";
const LISTABLE = LISTABLE_SQL;

/**
 * A search's terms as FTS5 queries (built by services/search-text.ts): `prefixed` with the
 * last word also as a prefix, while it may still be being typed; `exact` with every word as
 * typed; `last`, the word that picks between them (MATCH below).
 */
export interface TermsQuery {
  prefixed: string;
  exact: string;
  last: string;
  /** Every word as typed (transcript search weighs how common each is). */
  words: string[];
}

/**
 * The FTS5 query of a search, from ?1 (a TermsQuery as JSON): its last word as typed when that
 * word alone is in RANK_WINDOW videos or more (by the vocabulary's counts), else also as a
 * prefix. A constant expression, evaluated once before FTS5 opens the query: measured at
 * 100,000 videos, "easy with" and a category took 51 ms as `("with" OR "with"*)`, 42 as "with".
 */
const MATCH = `(CASE WHEN (SELECT docs FROM search_words WHERE word = ?1 ->> '$.last') >= ${RANK_WINDOW}
  THEN ?1 ->> '$.exact' ELSE ?1 ->> '$.prefixed' END)`;

/**
 * A search's MATCH and, with a category, that category's token in its own column (the
 * category as `hex()` spells it, as the documents' triggers write it): FTS5 intersects the
 * words' doclists with the category's, and no match outside the category is read. `param`
 * is the number of the parameter that holds the category. Measured at 100,000 videos (12
 * categories), two common words and a category's newest matches: 28 ms joined to their
 * filter rows, 7 ms as one match (sqlite3).
 */
const matchIn = (f: SearchFilters, param: number) =>
  f.category === undefined ? MATCH : `('(' || ${MATCH} || ') AND category_key : "' || hex(?${param}) || '"')`;

/**
 * The newest `size` matches of `match` (a search's MATCH by default) with their bm25, from
 * one FTS5 cursor read newest first (rowids grow with indexing); materialized, so bm25 runs
 * once per row and in the cursor's own query, as FTS5 requires.
 */
const scoredWindow = (size: number, match = MATCH) => `w AS MATERIALIZED (
  SELECT rowid, ${BM25} AS score FROM video_search WHERE video_search MATCH ${match} ORDER BY rowid DESC LIMIT ${size})`;

/**
 * The best `cap` matches of an FTS5 query, with what ranking needs, scored over at most
 * RANK_WINDOW matches; only the best `cap` are joined to videos. `newest` takes the latest
 * documents instead of the best scores (sort=date). Filters pick one of two plans:
 * - a channel: its listable videos come first, from their index (a channel holds few of the
 *   catalogue), and the FTS5 cursor keeps only those, so every match in the channel counts,
 *   however common the words;
 * - any other filter: over the newest FILTERED_WINDOW matches (from the window's oldest
 *   rowid up), each joined to its narrow search_filters row, bm25 scored only for those the
 *   filters keep (no index bounds a category or a duration to few videos).
 */
export function candidates(
  db: Database,
  match: TermsQuery,
  filters: SearchFilters,
  cap: number,
  order: "score" | "newest" = "score",
): Query<Candidate> {
  const best = order === "newest" ? "rowid DESC" : "score, rowid DESC";
  const top = (from: string) => `SELECT ${CANDIDATE_COLUMNS} FROM (${from}) s ${JOINS} WHERE ${LISTABLE}`;
  if (filters.channelId !== undefined) {
    const where = filterClauses(filters, 3, "v");
    return query(
      db,
      `WITH f AS MATERIALIZED (
         SELECT d.id FROM videos v CROSS JOIN search_documents d ON d.video_id = v.id WHERE ${LISTABLE}${where.text}),
       w AS MATERIALIZED (
         SELECT rowid, ${order === "newest" ? "0" : BM25} AS score FROM video_search
         WHERE video_search MATCH ${MATCH} AND rowid >= (SELECT min(id) FROM f) AND +rowid IN (SELECT id FROM f)
         ORDER BY rowid DESC LIMIT ${RANK_WINDOW})
       ${top(`SELECT rowid, score FROM w ORDER BY ${best} LIMIT ?2`)}`,
      JSON.stringify(match),
      cap,
      ...where.params,
    );
  }
  const where = filterClauses(filters, 3, "x");
  const fts = matchIn(filters, 3);
  if (!where.text) {
    // No filter, or a category alone (in the match): the newest matches, as they come.
    const inner =
      order === "newest"
        ? // No score: the date orders these, and bm25's first call reads each word's whole doclist.
          `SELECT rowid, 0 AS score FROM video_search WHERE video_search MATCH ${fts} ORDER BY rowid DESC LIMIT ?2`
        : `WITH ${scoredWindow(RANK_WINDOW, fts)} SELECT rowid, score FROM w ORDER BY ${best} LIMIT ?2`;
    return query(db, top(inner), JSON.stringify(match), cap, ...where.params);
  }
  return query(
    db,
    `WITH f(floor) AS MATERIALIZED (SELECT coalesce((SELECT rowid FROM video_search WHERE video_search MATCH ${fts}
         ORDER BY rowid DESC LIMIT 1 OFFSET ${FILTERED_WINDOW - 1}), 0)),
       w AS MATERIALIZED (
         SELECT s.rowid, ${order === "newest" ? "0" : BM25} AS score
         FROM f CROSS JOIN video_search s CROSS JOIN search_filters x ON x.id = s.rowid
         WHERE video_search MATCH ${fts} AND s.rowid >= f.floor${where.text})
     ${top(`SELECT rowid, score FROM w ORDER BY ${best} LIMIT ?2`)}`,
    JSON.stringify(match),
    cap,
    ...where.params,
  );
}

export interface PageRow {
  rowid: number;
  marked_title: string;
  marked_description: string;
  id: string;
  title: string;
  description: string;
  tags: string;
  category: string | null;
  duration_ms: number | null;
  thumbnails: string | null;
  view_count: number;
  like_count: number;
  published_at: number | null;
  channel_id: string;
  channel_name: string;
  verified: number;
}

/**
 * A page's rows: the summary's columns, and title and a description snippet with the
 * query's matches between `open` and `close`. Listable videos only, checked again here.
 * One FTS5 cursor between the page's oldest and newest rowids, over the matches in the
 * category when there is one (the page's ids are spread across 12 times as many matches of
 * a common word otherwise: the commonest word and a category took 33 ms at the median, 23
 * without the category), the page's rowids kept by `+rowid IN`:
 * without the `+`, SQLite hands the IN list to FTS5, which opens the query once per rowid,
 * and a last word's prefix without a prefix index is merged from every word it begins each
 * time (measured: 92 ms instead of 13 for two common words at 100,000 videos). D1 binds
 * every number as REAL, and FTS5 mishandles a REAL rowid bound (`rowid = ?` with one matches
 * every row): hence the CAST.
 */
export function pageRows(
  db: Database,
  match: TermsQuery,
  filters: SearchFilters,
  rowids: readonly number[],
  open: string,
  close: string,
): Query<PageRow> {
  return query(
    db,
    `SELECT s.rowid,
       highlight(video_search, 0, ?2, ?3) AS marked_title,
       snippet(video_search, 1, ?2, ?3, '…', 24) AS marked_description,
       v.id, v.title, v.description, v.tags, v.category, v.duration_ms, v.thumbnails, v.view_count, v.like_count,
       v.published_at, c.id AS channel_id, c.name AS channel_name, c.verified
     FROM video_search s ${JOINS}
     WHERE video_search MATCH ${matchIn(filters, 7)}
       AND s.rowid >= CAST(?5 AS INTEGER) AND s.rowid <= CAST(?6 AS INTEGER)
       AND +s.rowid IN (SELECT value FROM json_each(?4)) AND ${LISTABLE}`,
    JSON.stringify(match),
    open,
    close,
    JSON.stringify(rowids),
    rowids.length ? Math.min(...rowids) : 0,
    rowids.length ? Math.max(...rowids) : 0,
    ...(filters.category === undefined ? [] : [filters.category]),
  );
}

/**
 * Page rows of videos found by their captions alone: the summary's columns, title and
 * description as they are (nothing in them matched to mark). A plain statement, so that it
 * travels in the page's batch with the other page rows and the moments.
 */
export function plainPageRows(db: Database, rowids: readonly number[]): Query<PageRow> {
  return query(
    db,
    `SELECT d.id AS rowid, v.title AS marked_title, v.description AS marked_description,
       v.id, v.title, v.description, v.tags, v.category, v.duration_ms, v.thumbnails, v.view_count, v.like_count,
       v.published_at, c.id AS channel_id, c.name AS channel_name, c.verified
     FROM search_documents d CROSS JOIN videos v ON v.id = d.video_id CROSS JOIN channels c ON c.id = v.channel_id
     WHERE d.id IN (SELECT value FROM json_each(?1)) AND ${LISTABLE}`,
    JSON.stringify(rowids),
  );
}

// Transcript search over the `CAPTIONS` database (migrations/captions), where every track
// keeps its cues (this database's own were dropped by migration 0024): the cues are found
// there, their tracks resolved here by key (listability and filters, which that database
// cannot read), and the page's moments read there.

/**
 * A search's words as typed (no prefix: the index has no prefix index, and a word being typed
 * is for titles), over the newest TRANSCRIPT_WINDOW matching cues, as RANK_WINDOW bounds the
 * video index.
 */
export const TRANSCRIPT_WINDOW = 500;
const TRANSCRIPT_MATCH = "(?1 ->> '$.exact')";
/**
 * A cue's score when the query is broad: its words match TRANSCRIPT_WINDOW cues or more, or
 * one of them is said in TRANSCRIPT_COMMON cues or more. bm25 first reads every cue holding
 * each word (its document counts): 40-60 ms for a word said in most of 2 million cues, to rank
 * matches such words say almost nothing about. Such a match scores as the weakest bm25 a cue
 * gets, and views and recency order those videos, after the written matches of the same words.
 */
export const BROAD_CUE_SCORE = -1e-6;

/**
 * A word said in this many cues or more is common. Counted by one cursor per word that stops
 * there, since `search_words` (the written words' counts) lives in `DB`.
 */
export const TRANSCRIPT_COMMON = 4 * TRANSCRIPT_WINDOW;

export interface FoundCues {
  /** The version's key (`captions.cues_key`). */
  key: number;
  /** Its best cue's bm25, or BROAD_CUE_SCORE. */
  score: number;
}

/**
 * The newest TRANSCRIPT_WINDOW cues in `CAPTIONS` that match, grouped by version, each scored
 * by its best cue, best first. Broad (BROAD_CUE_SCORE, no bm25) when the window fills or when
 * any word as typed is said in TRANSCRIPT_COMMON cues or more. Every version is indexed,
 * whatever its video's visibility: cues of videos that cannot be listed take places in a
 * broad query's window before `tracksFound` drops them.
 */
export function cueWindow(cueDb: CueDatabase, match: TermsQuery): Query<FoundCues> {
  return query(
    cueDb,
    `WITH broad(yes) AS MATERIALIZED (SELECT EXISTS (SELECT 1 FROM transcript_search
         WHERE transcript_search MATCH ${TRANSCRIPT_MATCH} ORDER BY rowid DESC LIMIT 1 OFFSET ${TRANSCRIPT_WINDOW - 1})
       OR EXISTS (SELECT 1 FROM json_each(?1 ->> '$.words') j WHERE EXISTS (SELECT 1 FROM transcript_search
         WHERE transcript_search MATCH '"' || j.value || '"' LIMIT 1 OFFSET ${TRANSCRIPT_COMMON - 1}))),
     w AS MATERIALIZED (
       SELECT rowid, CASE WHEN (SELECT yes FROM broad) THEN ${BROAD_CUE_SCORE} ELSE bm25(transcript_search) END AS score
       FROM transcript_search WHERE transcript_search MATCH ${TRANSCRIPT_MATCH} ORDER BY rowid DESC LIMIT ${TRANSCRIPT_WINDOW})
     SELECT q.track AS key, min(w.score) AS score FROM w CROSS JOIN caption_cues q ON q.id = w.rowid
     GROUP BY q.track ORDER BY score`,
    JSON.stringify(match),
  );
}

/**
 * The videos whose current versions `cueWindow` found, each scored by its best, with what
 * ranking needs: listable ones only, the filters applied to the video. The grouped videos are
 * joined to their rows best first and only until `cap` are kept (measured at 100,000 videos
 * with 1.9 million cues: joining all of a broad word's videos and sorting after took
 * 30-110 ms; joined in order, 10-20). A version no row names (replaced, or its video gone,
 * before the sweep) finds nothing.
 */
export function tracksFound(db: Database, found: readonly FoundCues[], filters: SearchFilters, cap: number) {
  const where = filterClauses(filters, 3, "v");
  return query<Candidate>(
    db,
    `WITH b AS MATERIALIZED (
       SELECT k.video_id, min(f.value ->> 1) AS score FROM json_each(?1) f CROSS JOIN captions k ON k.cues_key = f.value ->> 0
       GROUP BY k.video_id ORDER BY score)
     SELECT ${CANDIDATE_COLUMNS.replace("s.score", "b.score")}
     FROM b CROSS JOIN search_documents d ON d.video_id = b.video_id CROSS JOIN videos v ON v.id = d.video_id
       CROSS JOIN channels c ON c.id = v.channel_id
     WHERE ${LISTABLE}${where.text} LIMIT ?2`,
    JSON.stringify(found.map((f) => [f.key, f.score])),
    cap,
    ...where.params,
  );
}

export interface MomentRow {
  video_id: string;
  start_ms: number;
  /** The cue's text around the match, the matches between `open` and `close`. */
  marked: string;
}

/**
 * The first `perVideo` cues of each of `videoIds` that match, in time order: the moments a
 * search hit shows, from each of the videos' tracks' newest version in `CAPTIONS` (the one its
 * row names, but for a save in flight or a version the sweep has yet to drop). One FTS5 cursor
 * per video, bounded to the rowids of its cues (a version's cues are written together, so
 * their ids are one range, or a few): reading from the page's lowest cue id up instead walked
 * every match of a common word in between (measured at 1.9 million cues: 50-65 ms for "and
 * the", 5-15 per video range). D1 binds every number as REAL, and FTS5 mishandles a REAL
 * rowid bound: hence the CASTs.
 */
export function captionMoments(
  cueDb: CueDatabase,
  match: TermsQuery,
  videoIds: readonly string[],
  open: string,
  close: string,
  perVideo: number,
) {
  return query<MomentRow>(
    cueDb,
    `WITH k AS MATERIALIZED (
       SELECT video_id, id FROM (SELECT video_id, id,
         row_number() OVER (PARTITION BY video_id, language ORDER BY created_at DESC, id) AS n
         FROM caption_tracks WHERE video_id IN (SELECT value FROM json_each(?4)))
       WHERE n = 1),
     r AS MATERIALIZED (
       SELECT k.video_id, min(q.id) AS lo, max(q.id) AS hi FROM k CROSS JOIN caption_cues q ON q.track = k.id
       GROUP BY k.video_id),
     hits AS MATERIALIZED (
       SELECT r.video_id, q.start_ms, q.id, snippet(transcript_search, 0, ?2, ?3, '…', 16) AS marked
       FROM r CROSS JOIN transcript_search s CROSS JOIN caption_cues q ON q.id = s.rowid
       WHERE transcript_search MATCH ${TRANSCRIPT_MATCH}
         AND s.rowid >= CAST(r.lo AS INTEGER) AND s.rowid <= CAST(r.hi AS INTEGER)
         AND q.track IN (SELECT id FROM k WHERE k.video_id = r.video_id))
     SELECT video_id, start_ms, marked FROM (
       SELECT *, row_number() OVER (PARTITION BY video_id ORDER BY start_ms, id) AS n FROM hits)
     WHERE n <= ?5 ORDER BY video_id, start_ms`,
    JSON.stringify(match),
    open,
    close,
    JSON.stringify(videoIds),
    perVideo,
  );
}

/** A page row as the summary builder takes it. */
export const summaryRowOf = (r: PageRow): SummaryRow => ({
  video: {
    id: r.id,
    title: r.title,
    description: r.description,
    tags: JSON.parse(r.tags) as string[],
    category: r.category,
    duration: r.duration_ms,
    thumbnails: r.thumbnails ? JSON.parse(r.thumbnails) : null,
    viewCount: r.view_count,
    likeCount: r.like_count,
    publishedAt: r.published_at === null ? null : new Date(r.published_at),
  },
  channel: { id: r.channel_id, name: r.channel_name, verified: !!r.verified },
});

/** Distinct titles matching a title-only query, best first (completions). */
export function matchingTitles(db: Database, match: string, limit: number): Query<{ title: string }> {
  return query(
    db,
    `WITH ${scoredWindow(RANK_WINDOW, "?1")}
     SELECT d.title FROM (SELECT rowid, score FROM w ORDER BY score LIMIT ?2) s
     JOIN search_documents d ON d.id = s.rowid ORDER BY s.score`,
    match,
    limit * 3,
  );
}

/** The most common indexed words beginning with `prefix` (a bounded range scan, then a sort). */
export function wordsStartingWith(db: Database, prefix: string, limit: number): Query<{ word: string }> {
  return query(
    db,
    `SELECT word FROM (SELECT word, docs FROM search_words WHERE word >= ?1 AND word < ?2 LIMIT 2000)
     ORDER BY docs DESC, word LIMIT ?3`,
    prefix,
    `${prefix}\u{10FFFF}`,
    limit,
  );
}

/** Which of `words` are indexed words. */
export function knownWords(db: Database, words: readonly string[]): Query<{ word: string }> {
  return query(
    db,
    "SELECT word FROM search_words WHERE word IN (SELECT value FROM json_each(?1))",
    JSON.stringify(words),
  );
}

/**
 * Words sharing the most trigrams with `grams`, of a length within `[minLength, maxLength]`:
 * the typo candidates, to be filtered by edit distance.
 */
export function trigramNeighbours(
  db: Database,
  grams: readonly string[],
  minLength: number,
  maxLength: number,
  limit = 60,
): Query<{ word: string; docs: number; shared: number }> {
  return query(
    db,
    `SELECT t.word, w.docs, count(*) AS shared
     FROM search_word_trigrams t JOIN search_words w ON w.word = t.word
     WHERE t.gram IN (SELECT value FROM json_each(?1)) AND length(t.word) BETWEEN ?2 AND ?3
     GROUP BY t.word ORDER BY shared DESC, w.docs DESC LIMIT ?4`,
    JSON.stringify(grams),
    minLength,
    maxLength,
    limit,
  );
}

/** The version every cached search answer is keyed by. */
export async function searchVersion(db: Database): Promise<number> {
  const row = await db.select({ value: searchMeta.value }).from(searchMeta).where(eq(searchMeta.key, "version")).get();
  return row?.value ?? 0;
}

/** Words a typo is corrected to have at least this many letters (the shortest correctable word, less one). */
const MIN_GRAM_WORD = 4;
/** Rows per bulk statement (passed as one JSON parameter, clear of D1's 100-parameter limit). */
const BULK = 2_000;

/**
 * Brings the vocabulary up to date with the plain-word index (cron, every 5 minutes): new
 * words in, counts refreshed, vanished words out, trigrams for words not yet indexed.
 * Each statement is idempotent, so a run cut short is finished by the next. Returns how
 * many words gained trigrams.
 */
export async function refreshVocabulary(db: Database, trigramsOf: (word: string) => string[]): Promise<number> {
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
    await indexTrigrams(
      db,
      fresh.map((r) => r.word),
      trigramsOf,
    );
    added += fresh.length;
  }
}

/** Indexes the trigrams of words new to the vocabulary (`grams = 0`) and marks them done, in one batch. */
async function indexTrigrams(db: Database, words: string[], trigramsOf: (word: string) => string[]) {
  const pairs = words.filter((w) => [...w].length >= MIN_GRAM_WORD).flatMap((w) => trigramsOf(w).map((g) => [g, w]));
  const statements = [];
  for (let i = 0; i < pairs.length; i += BULK * 4) {
    statements.push(
      query(
        db,
        `INSERT OR IGNORE INTO search_word_trigrams (gram, word)
         SELECT value ->> 0, value ->> 1 FROM json_each(?1)`,
        JSON.stringify(pairs.slice(i, i + BULK * 4)),
      ),
    );
  }
  statements.push(
    query(
      db,
      "UPDATE search_words SET grams = 1 WHERE word IN (SELECT value FROM json_each(?1))",
      JSON.stringify(words),
    ),
  );
  await runAll(db, statements);
}

/** The words a video is found by (title, description, tags, channel name), if it is in the index. */
export async function documentText(db: Database, videoId: string): Promise<string | undefined> {
  const row = await db.$client
    .prepare("SELECT title, description, tags, channel_name FROM search_documents WHERE video_id = ?")
    .bind(videoId)
    .first<{ title: string; description: string; tags: string; channel_name: string }>();
  return row ? [row.title, row.description, row.tags, row.channel_name].join(" ") : undefined;
}

/**
 * Brings a few words of the vocabulary up to date at once (those of a video just indexed):
 * their document counts from the plain-word index, and trigrams for those new to it. The
 * cron does the same for every word; this keeps typo correction from waiting for it.
 * Returns how many words were new.
 */
export async function learnWords(db: Database, words: string[], trigramsOf: (word: string) => string[]) {
  if (!words.length) return 0;
  const list = JSON.stringify(words.slice(0, BULK));
  const [, fresh] = await runAll(db, [
    query(
      db,
      `INSERT INTO search_words (word, docs)
       SELECT term, doc FROM video_words_vocab WHERE term IN (SELECT value FROM json_each(?1))
       ON CONFLICT (word) DO UPDATE SET docs = excluded.docs WHERE docs <> excluded.docs`,
      list,
    ),
    query<{ word: string }>(
      db,
      "SELECT word FROM search_words WHERE grams = 0 AND word IN (SELECT value FROM json_each(?1))",
      list,
    ),
  ] as const);
  if (fresh.length) {
    await indexTrigrams(
      db,
      fresh.map((r) => r.word),
      trigramsOf,
    );
  }
  return fresh.length;
}
