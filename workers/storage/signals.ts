import type { Database } from "../env";
import { GLOBAL_REGION, isCountry } from "../lib/region";

/**
 * Viewing signals for recommendations: each viewer's recent window (`viewer_recent_watches`)
 * and the co-view roll-up (`co_views`). Every query on those two tables lives here.
 */

/** Two watches by one viewer this close together make a co-view. */
export const CO_VIEW_WINDOW_MS = 24 * 3600_000;
/** A viewer's window holds at most this many distinct videos: a binge is not 1,000 pairs. */
export const RECENT_WATCHES_PER_VIEWER = 20;
/** A co-view counts half after this long, so the pairs follow what people watch now. */
export const CO_VIEW_HALF_LIFE_MS = 7 * 24 * 3600_000;

const pairs = `
  SELECT ?1 AS a, w.video_id AS b FROM viewer_recent_watches w
  WHERE w.viewer = ?2 AND w.video_id <> ?1 AND w.watched_at >= ?3
  UNION ALL
  SELECT w.video_id AS a, ?1 AS b FROM viewer_recent_watches w
  WHERE w.viewer = ?2 AND w.video_id <> ?1 AND w.watched_at >= ?3`;

// The pairs count only when this video is new to the viewer's window, which also makes a
// redelivered event add nothing: its own watch is in the window by then.
const fresh = `NOT EXISTS (SELECT 1 FROM viewer_recent_watches x WHERE x.viewer = ?2 AND x.video_id = ?1 AND x.watched_at >= ?3)
  AND EXISTS (SELECT 1 FROM videos WHERE id = ?1)`;

/**
 * Records that `viewer` watched `videoId` at `at`, in one batch: co-views with every other
 * video in the viewer's last 24 hours (both directions, for the region and `global`, decayed
 * then incremented), then the watch into the window, then the window trimmed.
 */
export async function recordViewerWatch(
  db: Database,
  watch: { viewer: string; videoId: string; region: string; at: number },
): Promise<void> {
  const d1 = db.$client;
  const since = watch.at - CO_VIEW_WINDOW_MS;
  // Activity from an unknown place feeds only the global rows.
  const regions = isCountry(watch.region) ? [watch.region, GLOBAL_REGION] : [GLOBAL_REGION];
  const coView = d1.prepare(
    `INSERT INTO co_views (video_a, video_b, region, score, updated_at)
     SELECT a, b, ?4, 1, ?5 FROM (${pairs}) WHERE ${fresh}
     ON CONFLICT (video_a, region, video_b) DO UPDATE SET
       score = co_views.score * pow(0.5, max(0, excluded.updated_at - co_views.updated_at) / ?6) + 1,
       updated_at = max(co_views.updated_at, excluded.updated_at)`,
  );
  await d1.batch([
    ...regions.map((region) => coView.bind(watch.videoId, watch.viewer, since, region, watch.at, CO_VIEW_HALF_LIFE_MS)),
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

export interface CoView {
  /** The video looked up. */
  videoId: string;
  /** A video watched within 24 hours of it by the same viewers. */
  otherId: string;
  /** The decayed co-view count, as of `now`. */
  score: number;
}

/**
 * The videos most often watched with each of `videoIds` in `region` (`global` for all), by
 * decayed count as of `now`, at most `limit` per looked-up video.
 */
export async function coViewsOf(
  db: Database,
  videoIds: readonly string[],
  region: string,
  now: number,
  limit = 50,
): Promise<CoView[]> {
  const ids = [...new Set(videoIds)].slice(0, 90);
  if (!ids.length) return [];
  const marks = ids.map((_, i) => `?${i + 5}`).join(", ");
  const { results } = await db.$client
    .prepare(
      `SELECT video_a, video_b, score FROM (
         SELECT video_a, video_b, score * pow(0.5, max(0, ?1 - updated_at) / ?2) AS score,
                row_number() OVER (PARTITION BY video_a ORDER BY score * pow(0.5, max(0, ?1 - updated_at) / ?2) DESC) AS n
         FROM co_views WHERE region = ?3 AND video_a IN (${marks})
       ) WHERE n <= ?4 ORDER BY video_a, score DESC`,
    )
    .bind(now, CO_VIEW_HALF_LIFE_MS, region, limit, ...ids)
    .all<{ video_a: string; video_b: string; score: number }>();
  return results.map((r) => ({ videoId: r.video_a, otherId: r.video_b, score: r.score }));
}

/**
 * Trims at most `limit` rows of each table of what fell out of its window (anonymous daily
 * keys never come back) and of dead pairs, oldest first through their time indexes; returns
 * how many rows went from each.
 */
export async function pruneSignals(
  db: Database,
  now: number,
  limit: number,
): Promise<{ watches: number; pairs: number }> {
  const d1 = db.$client;
  const [watches, pairs] = await d1.batch([
    d1
      .prepare(
        `DELETE FROM viewer_recent_watches WHERE rowid IN (
           SELECT rowid FROM viewer_recent_watches WHERE watched_at < ?1 ORDER BY watched_at LIMIT ?2)`,
      )
      .bind(now - CO_VIEW_WINDOW_MS, limit),
    // Ten half-lives: a pair not seen since counts less than a thousandth of a co-view.
    d1
      .prepare(
        "DELETE FROM co_views WHERE rowid IN (SELECT rowid FROM co_views WHERE updated_at < ?1 ORDER BY updated_at LIMIT ?2)",
      )
      .bind(now - 10 * CO_VIEW_HALF_LIFE_MS, limit),
  ]);
  return { watches: watches?.meta.changes ?? 0, pairs: pairs?.meta.changes ?? 0 };
}

/**
 * Each video's decayed co-view total in `region` (c_i of Davidson et al. 2010): the
 * popularity that recommendations divide co-views by, so that what everyone watches does not
 * top every list.
 */
export async function coViewTotals(db: Database, videoIds: readonly string[], region: string, now: number) {
  const totals = new Map<string, number>();
  const unique = [...new Set(videoIds)];
  for (let i = 0; i < unique.length; i += 90) {
    const ids = unique.slice(i, i + 90);
    const marks = ids.map((_, j) => `?${j + 4}`).join(", ");
    const { results } = await db.$client
      .prepare(
        `SELECT video_a, sum(score * pow(0.5, max(0, ?1 - updated_at) / ?2)) AS total
         FROM co_views WHERE region = ?3 AND video_a IN (${marks}) GROUP BY video_a`,
      )
      .bind(now, CO_VIEW_HALF_LIFE_MS, region, ...ids)
      .all<{ video_a: string; total: number }>();
    for (const r of results) totals.set(r.video_a, r.total);
  }
  return totals;
}
