import type { Database } from "../env";
import { DURATIONS, type SearchQuery } from "../schemas/search";
import type { VideoSummary } from "../schemas/videos";
import type { CueDatabase } from "../storage/caption-cues";
import { cached, cacheKeys } from "../storage/edge-cache";
import * as store from "../storage/search";
import {
  allowedTypos,
  containsPhrase,
  editDistance,
  MARK_CLOSE,
  MARK_OPEN,
  markedHtml,
  matchTitle,
  termsOf,
  termsQuery,
  trigrams,
} from "./search-text";
import { toVideoSummary } from "./videos";

/**
 * Spec: Search Flow. Typed text -> terms -> an FTS5 query over the index the triggers keep
 * -> the best matches ranked by bm25 and the spec's boosts -> summaries with highlights.
 * Typos are corrected and words dropped only when the words as typed find too little.
 */

/**
 * Matches ranked per query: ten pages of 20, and a bound on the work (each candidate row
 * travels from D1 to the Worker, which is most of a broad query's cost).
 */
export const CANDIDATES = 200;
/** Fewer results than this, and corrections (then relaxations) are tried. */
const SCARCE = 3;
/** Cached answers live this long; a video leaving the index changes the key at once. */
export const SEARCH_CACHE_SECONDS = 30;
const SUGGESTIONS = 10;
const DAY_MS = 86_400_000;

export type SearchSort = "relevance" | "date" | "views";

export interface SearchParams {
  q: string;
  filters: store.SearchFilters;
  sort: SearchSort;
  page: number;
  limit: number;
}

/**
 * The one mapping from the search query parameters (parsed by `SearchQuery`) to a search:
 * the API route and the search page both use it, so a filter means the same on either.
 */
export function searchInput(q: SearchQuery): SearchParams {
  return {
    q: q.q,
    filters: {
      category: q.category,
      durationMs: q.duration ? DURATIONS[q.duration] : undefined,
      publishedAfter: q.uploaded_after ? new Date(q.uploaded_after) : undefined,
      minViews: q.min_views,
      channelId: q.channel_id,
    },
    sort: q.sort,
    page: q.page,
    limit: q.limit,
  };
}

export interface SearchItem extends VideoSummary {
  highlight: { title: string; description: string };
  /** Where the words are said, when the captions match (API.md): seconds and an escaped, marked snippet. */
  moments?: { start: number; text: string }[];
}

/**
 * A match in captions counts for less than one in the description (2) or the tags (1.5): what
 * is said at length matches more loosely than what the owner chose to write.
 */
export const TRANSCRIPT_WEIGHT = 0.5;
/** Moments shown per hit. */
export const MOMENTS_PER_HIT = 3;

export interface SearchAnswer {
  items: SearchItem[];
  page: number;
  limit: number;
  total: number;
  corrected_query?: string;
}

/**
 * The ranking, in the order it applies: bm25 over title 3, description 2, tags 1.5 and
 * channel name 1 (store.BM25_WEIGHTS); then the words as typed, in order, in the title; then
 * the spec's boosts (views, recency, a verified channel) as gentle multipliers, so they
 * order comparable matches without lifting a poor match over a good one.
 */
export function relevance(c: store.Candidate, terms: readonly string[], now: number): number {
  let score = -c.score;
  const title = termsOf(c.title, 100);
  if (terms.length > 1 && containsPhrase(title, terms)) score *= 2;
  if (title.length === terms.length && containsPhrase(title, terms)) score *= 1.5;
  score *= 1 + 0.1 * Math.log10(1 + c.view_count);
  const ageDays = c.published_at ? Math.max(0, now - c.published_at) / DAY_MS : 365;
  score *= 1 + 0.2 * Math.exp(-ageDays / 30);
  if (c.verified) score *= 1.1;
  return score;
}

/** A match and the FTS5 query that found it (highlights mark that query's words). */
interface Hit {
  c: store.Candidate;
  match: store.TermsQuery;
  /** Found in its captions alone: no title or description match to highlight. */
  transcriptOnly?: boolean;
}

const candidatesFor = (db: Database, terms: readonly string[], p: SearchParams) =>
  store.candidates(db, termsQuery(terms), p.filters, CANDIDATES, p.sort === "date" ? "newest" : "score");

function ranked(found: store.Candidate[], terms: readonly string[], p: SearchParams, now: number): Hit[] {
  const match = termsQuery(terms);
  const list =
    p.sort === "date"
      ? found.sort((a, b) => (b.published_at ?? 0) - (a.published_at ?? 0))
      : p.sort === "views"
        ? found.sort((a, b) => b.view_count - a.view_count)
        : found
            .map((c) => ({ c, r: relevance(c, terms, now) }))
            .sort((a, b) => b.r - a.r)
            .map((x) => x.c);
  return list.map((c) => ({ c, match }));
}

/**
 * The closest indexed word to each unknown word long enough to have a typo (1 edit from 5
 * letters, 2 from 9), most common first among the closest. Known words, and a last word
 * that begins a known word (it may still be being typed), stay as typed.
 */
export async function correctTerms(
  db: Database,
  terms: readonly string[],
  known: ReadonlySet<string>,
  lastBegins: boolean,
): Promise<string[]> {
  const wrong = terms.flatMap((term, i) =>
    known.has(term) || !allowedTypos(term) || (i === terms.length - 1 && lastBegins) ? [] : [i],
  );
  const near = await store.runAll(
    db,
    wrong.map((i) => {
      const term = terms[i] ?? "";
      const n = [...term].length;
      const typos = allowedTypos(term);
      return store.trigramNeighbours(db, trigrams(term), n - typos, n + typos);
    }),
  );
  const fixed = [...terms];
  wrong.forEach((i, k) => {
    const term = terms[i] ?? "";
    const typos = allowedTypos(term);
    let best: { word: string; d: number; docs: number } | undefined;
    for (const { word, docs } of near[k] ?? []) {
      const d = editDistance(term, word, typos);
      if (d > typos) continue;
      if (!best || d < best.d || (d === best.d && docs > best.docs)) best = { word, d, docs };
    }
    if (best) fixed[i] = best.word;
  });
  return fixed;
}

/**
 * The words as typed first. Only when they find too little: the same words with typos
 * corrected, then fewer words, dropped from the right (from the corrected words, so a typo
 * and an unknown short word together still find the video). What each step finds is added
 * after what the steps before found, so a precise match is never pushed down by a looser
 * one. One D1 round trip per step: the exact query travels with the vocabulary lookups
 * the fallback would need, and every relaxed variant goes in one batch.
 */
async function hitsWithFallbacks(db: Database, cueDb: CueDatabase, terms: string[], p: SearchParams, now: number) {
  const last = terms[terms.length - 1] ?? "";
  const first = store.runAll(db, [
    candidatesFor(db, terms, p),
    store.knownWords(db, terms),
    store.wordsStartingWith(db, last, 1),
  ] as const);
  // The cue window's versions are resolved as soon as it answers, while the first batch may
  // still be on its way; a broad window waits for the written matches, which may make it moot.
  const there = store
    .runAll(cueDb, [store.cueWindow(cueDb, termsQuery(terms))] as const)
    .then(async ([window]) => videosSaidIn(db, window, isBroad(window) ? (await first)[0].length : 0, p));
  const [[exact, known, begins], said] = await Promise.all([first, there]);
  // Videos whose captions alone match rank among the others, their score weighed down.
  const written = new Set(exact.map((c) => c.rowid));
  const saidOnly = said.filter((c) => !written.has(c.rowid)).map((c) => ({ ...c, score: c.score * TRANSCRIPT_WEIGHT }));
  const onlySaid = new Set(saidOnly.map((c) => c.rowid));
  const hits: Hit[] = ranked([...exact, ...saidOnly], terms, p, now)
    .slice(0, CANDIDATES)
    .map((h) => (onlySaid.has(h.c.rowid) ? { ...h, transcriptOnly: true } : h));
  if (hits.length >= SCARCE) return { hits, corrected: undefined };

  const fixed = await correctTerms(db, terms, new Set(known.map((r) => r.word)), begins.length > 0);
  const changed = fixed.some((t, i) => t !== terms[i]);
  const base = changed ? fixed : terms;
  const variants = [...(changed ? [fixed] : []), ...base.slice(1).map((_, i) => base.slice(0, base.length - 1 - i))];
  const found = await store.runAll(
    db,
    variants.map((v) => candidatesFor(db, v, p)),
  );
  const seen = new Set(hits.map((h) => h.c.rowid));
  let fromFixed = 0;
  variants.forEach((words, i) => {
    if (hits.length >= SCARCE) return;
    const fresh = ranked(found[i] ?? [], words, p, now).filter((h) => !seen.has(h.c.rowid));
    for (const h of fresh) seen.add(h.c.rowid);
    hits.push(...fresh);
    if (changed) fromFixed += fresh.length;
  });
  return { hits: hits.slice(0, CANDIDATES), corrected: fromFixed ? fixed.join(" ") : undefined };
}

/**
 * The videos of the versions the cue window found in the `CAPTIONS` database, resolved here:
 * one round trip more, sent when the window answers, and none when the window found nothing
 * or when a broad query's written matches (`written`, counted by the first batch) already fill
 * the candidates (its said-only videos would rank after them and be cut).
 */
async function videosSaidIn(db: Database, found: store.FoundCues[], written: number, p: SearchParams) {
  if (!found.length || (isBroad(found) && written >= CANDIDATES)) return [];
  const [videos] = await store.runAll(db, [store.tracksFound(db, found, p.filters, CANDIDATES)] as const);
  return videos;
}

/** Whether the cue window scored its cues as a broad query's (no bm25). */
const isBroad = (found: store.FoundCues[]) => found.length > 0 && found.every((f) => f.score === store.BROAD_CUE_SCORE);

/** One page of results for `p`, uncached. */
export async function search(
  db: Database,
  cueDb: CueDatabase,
  p: SearchParams,
  origin: string,
  now = Date.now(),
): Promise<SearchAnswer> {
  const terms = termsOf(p.q);
  const empty = { items: [], page: p.page, limit: p.limit, total: 0 };
  if (!terms.length) return empty;
  const { hits, corrected } = await hitsWithFallbacks(db, cueDb, terms, p, now);
  const page = hits.slice((p.page - 1) * p.limit, p.page * p.limit);
  // Summaries and highlights in one statement per query that found a part of the page.
  const groups = [
    ...Map.groupBy(
      page.filter((h) => !h.transcriptOnly),
      (h) => h.match,
    ),
  ];
  const pageQueries = groups.map(([match, group]) =>
    store.pageRows(
      db,
      match,
      p.filters,
      group.map((h) => h.c.rowid),
      MARK_OPEN,
      MARK_CLOSE,
    ),
  );
  const pageIds = page.map((h) => h.c.video_id);
  // What only the captions matched has no highlight in its title or description: plain rows,
  // in the same batch (not a round trip of their own after it). The page's moments (where its
  // words are said) from `CAPTIONS` at the same time.
  const saidOnly = page.filter((h) => h.transcriptOnly).map((h) => h.c.rowid);
  const plainQueries = saidOnly.length ? [store.plainPageRows(db, saidOnly)] : [];
  const [found, [spoken]] = await Promise.all([
    store.runAll(db, [...plainQueries, ...pageQueries]),
    page.length
      ? store.runAll(cueDb, [
          store.captionMoments(cueDb, termsQuery(terms), pageIds, MARK_OPEN, MARK_CLOSE, MOMENTS_PER_HIT),
        ] as const)
      : ([[]] as [store.MomentRow[]]),
  ]);
  const rows = new Map(found.flat().map((r) => [r.rowid, r]));
  const momentsOf = Map.groupBy(spoken, (m) => m.video_id);
  const items = page.flatMap((h): SearchItem[] => {
    const said = (momentsOf.get(h.c.video_id) ?? [])
      .sort((a, b) => a.start_ms - b.start_ms)
      .slice(0, MOMENTS_PER_HIT)
      .map((m) => ({
        start: m.start_ms / 1000,
        text: markedHtml(m.marked),
      }));
    const moments = said.length ? { moments: said } : {};
    const row = rows.get(h.c.rowid);
    if (!row) return [];
    return [
      {
        ...toVideoSummary(store.summaryRowOf(row), origin),
        highlight: { title: markedHtml(row.marked_title), description: markedHtml(row.marked_description) },
        ...moments,
      },
    ];
  });
  return { ...empty, items, total: hits.length, ...(corrected ? { corrected_query: corrected } : {}) };
}

/** The cache key: the query as the index sees it, every filter, and the index version. */
export function searchCacheKey(p: SearchParams, version: number, origin: string): string {
  const f = p.filters;
  return cacheKeys.search({
    v: String(version),
    o: origin,
    q: termsOf(p.q).join(" "),
    sort: p.sort,
    page: String(p.page),
    limit: String(p.limit),
    category: f.category ?? "",
    dmin: String(f.durationMs?.min ?? ""),
    dmax: String(f.durationMs?.max ?? ""),
    after: f.publishedAfter ? String(f.publishedAfter.getTime()) : "",
    views: String(f.minViews ?? ""),
    channel: f.channelId ?? "",
  });
}

/**
 * Search through the Cache API (spec: "cached search results"). The key holds the index
 * version, which the triggers bump whenever a video leaves the index or changes its text,
 * so such a video is gone from every answer at once; new videos appear within the TTL.
 */
export async function cachedSearch(
  db: Database,
  cueDb: CueDatabase,
  p: SearchParams,
  origin: string,
): Promise<SearchAnswer> {
  const key = searchCacheKey(p, await store.searchVersion(db), origin);
  return cached(key, SEARCH_CACHE_SECONDS, () => search(db, cueDb, p, origin));
}

/**
 * Completions for search-as-you-type: titles that match the words so far (the last one as a
 * prefix), then the most common indexed words that complete the last word. Lower case, as
 * the index sees them; at most 10.
 */
export async function suggest(db: Database, q: string): Promise<string[]> {
  const terms = termsOf(q);
  if (!terms.length) return [];
  const last = terms[terms.length - 1] ?? "";
  const head = terms.slice(0, -1);
  const [titles, words] = await store.runAll(db, [
    store.matchingTitles(db, matchTitle(terms), SUGGESTIONS),
    store.wordsStartingWith(db, last, SUGGESTIONS),
  ] as const);
  const out = new Set<string>();
  for (const { title } of titles) out.add(termsOf(title, 12).join(" "));
  for (const { word } of words) out.add([...head, word].join(" "));
  return [...out].slice(0, SUGGESTIONS);
}

/** Suggestions through the Cache API, keyed like searches by the index version. */
export async function cachedSuggest(db: Database, q: string): Promise<string[]> {
  const key = cacheKeys.suggest(await store.searchVersion(db), termsOf(q).join(" "));
  return cached(key, SEARCH_CACHE_SECONDS, () => suggest(db, q));
}

/**
 * A video just became searchable, or its text changed: its words join the vocabulary behind
 * typo correction and completions now, not at the next cron (which also drops words no
 * video uses any more).
 */
export async function learnVideoWords(db: Database, videoId: string): Promise<number> {
  const text = await store.documentText(db, videoId);
  if (!text) return 0;
  return store.learnWords(db, [...new Set(termsOf(text, Number.POSITIVE_INFINITY))], trigrams);
}

/** Cron: the vocabulary behind typo correction and completions follows the index. */
export const refreshVocabulary = (db: Database) => store.refreshVocabulary(db, trigrams);
