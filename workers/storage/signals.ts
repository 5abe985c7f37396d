import type { Database } from "../env";
import { chunks } from "../lib/groups";

/**
 * Viewing signals for recommendations: each viewer's recent window (`viewer_recent_watches`,
 * D1), the co-views it makes (each video's top pairs in its room: `CoViewStore`) and each
 * video's co-view total (`videos.co_view_log`, flushed by its room). Every D1 query on them
 * lives here, and the backfill of the pairs D1 kept before the rooms did (`co_views`).
 */

/** Two watches by one viewer this close together make a co-view. */
export const CO_VIEW_WINDOW_MS = 24 * 3600_000;
/** A viewer's window holds at most this many distinct videos: a binge is not 1,000 pairs. */
export const RECENT_WATCHES_PER_VIEWER = 20;
/** A co-view counts half after this long, so the pairs follow what people watch now. */
export const CO_VIEW_HALF_LIFE_MS = 7 * 24 * 3600_000;

/** A co-viewed video and its count as of `at` (what a room imports). */
export interface CoViewPair {
  otherId: string;
  score: number;
  at: number;
}

export interface CoView {
  /** The video looked up. */
  videoId: string;
  /** A video watched within 24 hours of it by the same viewers. */
  otherId: string;
  /** The decayed co-view count, as of `now`. */
  score: number;
}

/** Each video's co-views, kept by its room (`VideoRoom`, durable-objects/co-views.ts). */
export interface CoViewStore {
  /** One co-view of `videoId` with each of `others` at `at`; the same `eventId` again adds nothing. */
  add(videoId: string, others: readonly string[], at: number, eventId: string): Promise<void>;
  /** The `limit` most co-viewed with `videoId`, by count as of `now`, best first. */
  top(videoId: string, limit: number, now: number): Promise<CoViewPair[]>;
}

/** Rooms called at once for one watch: its video's and those of the window (at most 20). */
const ROOMS_AT_ONCE = 21;

/**
 * Records that `viewer` watched `videoId` at `at` (the watch event `id`): a co-view with every
 * other video in the viewer's last 24 hours, in both directions (the watched video's room
 * gets the whole window, each video of the window's room this one), then the watch into the
 * window and the window trimmed. The pairs count only when the video is new to the viewer's
 * window, so an event delivered again after its window row is written adds nothing, and one
 * delivered again before it adds nothing twice (the rooms remember its id).
 */
export async function recordViewerWatch(
  db: Database,
  coViews: CoViewStore,
  watch: { id: string; viewer: string; videoId: string; region: string; at: number },
): Promise<void> {
  const d1 = db.$client;
  const since = watch.at - CO_VIEW_WINDOW_MS;
  const { results } = await d1
    .prepare(
      `SELECT w.video_id FROM viewer_recent_watches w
       WHERE w.viewer = ?2 AND w.video_id <> ?1 AND w.watched_at >= ?3
         AND NOT EXISTS (SELECT 1 FROM viewer_recent_watches x WHERE x.viewer = ?2 AND x.video_id = ?1 AND x.watched_at >= ?3)
         AND EXISTS (SELECT 1 FROM videos WHERE id = ?1)`,
    )
    .bind(watch.videoId, watch.viewer, since)
    .all<{ video_id: string }>();
  const window = results.map((r) => r.video_id);
  if (window.length) {
    const calls = [
      () => coViews.add(watch.videoId, window, watch.at, watch.id),
      ...window.map((other) => () => coViews.add(other, [watch.videoId], watch.at, watch.id)),
    ];
    for (const group of chunks(calls, ROOMS_AT_ONCE)) await Promise.all(group.map((call) => call()));
  }
  await d1.batch([
    d1
      .prepare(
        `INSERT INTO viewer_recent_watches (viewer, video_id, region, watched_at)
         SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM videos WHERE id = ?2)
         ON CONFLICT (viewer, video_id) DO UPDATE SET
           watched_at = max(watched_at, excluded.watched_at), region = excluded.region`,
      )
      .bind(watch.viewer, watch.videoId, watch.region, watch.at),
    d1
      .prepare(
        `DELETE FROM viewer_recent_watches WHERE viewer = ?1 AND (watched_at < ?2 OR video_id NOT IN (
           SELECT video_id FROM viewer_recent_watches WHERE viewer = ?1 ORDER BY watched_at DESC LIMIT ?3))`,
      )
      .bind(watch.viewer, since, RECENT_WATCHES_PER_VIEWER),
  ]);
}

/** The top co-views of each of `videoIds` (one room call each), at most `limit` per video. */
export async function coViewsOf(
  coViews: CoViewStore,
  videoIds: readonly string[],
  now: number,
  limit = 50,
): Promise<CoView[]> {
  const lists = await Promise.all(
    [...new Set(videoIds)].map(async (videoId) =>
      (await coViews.top(videoId, limit, now)).map((p) => ({ videoId, otherId: p.otherId, score: p.score })),
    ),
  );
  return lists.flat();
}

/**
 * Trims at most `limit` watches that fell out of the viewers' 24 h window (anonymous daily
 * keys never come back), oldest first through the time index; returns how many went.
 */
export async function pruneSignals(db: Database, now: number, limit: number): Promise<number> {
  const { meta } = await db.$client
    .prepare(
      `DELETE FROM viewer_recent_watches WHERE rowid IN (
         SELECT rowid FROM viewer_recent_watches WHERE watched_at < ?1 ORDER BY watched_at LIMIT ?2)`,
    )
    .bind(now - CO_VIEW_WINDOW_MS, limit)
    .run();
  return meta.changes ?? 0;
}

/** SQL: `log` plus the log-count `add` (log2(2^log + 2^add)), `log` null meaning nothing yet. */
export const addLogSql = (log: string, add: string) =>
  `CASE WHEN ${log} IS NULL THEN ${add} ELSE max(${log}, ${add}) + log2(1 + pow(2, -abs(${log} - ${add}))) END`;

/**
 * Each video's decayed co-view total as of `now` (c_i of Davidson et al. 2010): the popularity
 * that recommendations divide co-views by, so that what everyone watches does not top every
 * list. Videos with none yet are left out.
 */
export async function coViewTotals(db: Database, videoIds: readonly string[], now: number) {
  const totals = new Map<string, number>();
  const origin = now / CO_VIEW_HALF_LIFE_MS;
  for (const ids of chunks([...new Set(videoIds)])) {
    const marks = ids.map((_, i) => `?${i + 1}`).join(", ");
    const { results } = await db.$client
      .prepare(`SELECT id, co_view_log FROM videos WHERE id IN (${marks}) AND co_view_log IS NOT NULL`)
      .bind(...ids)
      .all<{ id: string; co_view_log: number }>();
    for (const r of results) totals.set(r.id, 2 ** (r.co_view_log - origin));
  }
  return totals;
}

// --- the backfill: co-view pairs D1 kept before each video's room did ---

/** The next `limit` videos that still have pairs in D1's `co_views`, in key order. */
export async function legacyCoViewVideos(db: Database, limit: number): Promise<string[]> {
  const { results } = await db.$client
    .prepare("SELECT DISTINCT video_a FROM co_views ORDER BY video_a LIMIT ?")
    .bind(limit)
    .all<{ video_a: string }>();
  return results.map((r) => r.video_a);
}

/** The global pairs of `videoIds` in D1, at most `keep` per video (the largest as of `now`). */
export async function legacyCoViews(
  db: Database,
  videoIds: readonly string[],
  keep: number,
  now: number,
): Promise<(CoViewPair & { videoId: string })[]> {
  if (!videoIds.length) return [];
  const marks = videoIds.map((_, i) => `?${i + 4}`).join(", ");
  const { results } = await db.$client
    .prepare(
      `SELECT video_a, video_b, score, updated_at FROM (
         SELECT video_a, video_b, score, updated_at,
                row_number() OVER (PARTITION BY video_a ORDER BY score * pow(0.5, max(0, ?1 - updated_at) / ?2) DESC) AS n
         FROM co_views WHERE region = 'global' AND video_a IN (${marks})
       ) WHERE n <= ?3`,
    )
    .bind(now, CO_VIEW_HALF_LIFE_MS, keep, ...videoIds)
    .all<{ video_a: string; video_b: string; score: number; updated_at: number }>();
  return results.map((r) => ({ videoId: r.video_a, otherId: r.video_b, score: r.score, at: r.updated_at }));
}

/**
 * In one batch: each of `videoIds`' global pairs in D1 added to its co-view total (all of them:
 * the total counts the pairs a room does not keep), then all its pairs deleted. Run after the
 * rooms took the pairs; answers the rows deleted.
 */
export async function forgetLegacyCoViews(db: Database, videoIds: readonly string[]): Promise<number> {
  if (!videoIds.length) return 0;
  const d1 = db.$client;
  const marks = videoIds.map((_, i) => `?${i + 2}`).join(", ");
  // Each pair's log-count: log2(score) + updated_at / H; summed as log2 of the sum of 2^that.
  const pairs = `SELECT co_views.video_a AS video_a, log2(sum(pow(2, log2(score) + updated_at / ?1 - m.top))) + m.top AS log
    FROM co_views JOIN (SELECT video_a AS v, max(log2(score) + updated_at / ?1) AS top FROM co_views
      WHERE region = 'global' AND score > 0 AND video_a IN (${marks}) GROUP BY video_a) m ON m.v = co_views.video_a
    WHERE region = 'global' AND score > 0 GROUP BY co_views.video_a`;
  const [, deleted] = await d1.batch([
    d1
      .prepare(
        `UPDATE videos SET co_view_log = ${addLogSql("co_view_log", "p.log")}
         FROM (${pairs}) p WHERE videos.id = p.video_a`,
      )
      .bind(CO_VIEW_HALF_LIFE_MS, ...videoIds),
    d1.prepare(`DELETE FROM co_views WHERE video_a IN (${videoIds.map(() => "?").join(", ")})`).bind(...videoIds),
  ]);
  return deleted?.meta.changes ?? 0;
}
