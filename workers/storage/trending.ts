import type { Database } from "../env";
import { LISTABLE_SQL } from "./videos";

/**
 * Trending's tables: the videos with new activity (`videos.active_at`; their hours are each
 * room's), the scores it keeps (`trending_scores`), and the lists it writes to KV.
 */

const marks = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `?${i + from}`).join(", ");

/** Videos whose rooms flushed activity after `since` (ms), oldest first, and when. */
export async function activeSince(db: Database, since: number, limit: number) {
  const { results } = await db.$client
    .prepare("SELECT id AS video_id, active_at AS at FROM videos WHERE active_at > ? ORDER BY active_at LIMIT ?")
    .bind(since, limit)
    .all<{ video_id: string; at: number }>();
  return results;
}

export interface TrendingFacts {
  id: string;
  channelId: string;
  category: string | null;
  listable: boolean;
  durationSeconds: number | null;
  publishedAt: number | null;
  subscribers: number;
}

/** What scoring needs of up to 90 videos: channel, category, whether listable, length, age, channel size. */
export async function factsOf(db: Database, ids: readonly string[]): Promise<TrendingFacts[]> {
  const { results } = await db.$client
    .prepare(
      `SELECT v.id, v.channel_id, v.category, ${LISTABLE_SQL} AS listable,
              v.duration_ms, v.published_at, c.subscriber_count
       FROM videos v JOIN channels c ON c.id = v.channel_id WHERE v.id IN (${marks(ids.length)})`,
    )
    .bind(...ids)
    .all<{
      id: string;
      channel_id: string;
      category: string | null;
      listable: number;
      duration_ms: number | null;
      published_at: number | null;
      subscriber_count: number;
    }>();
  return results.map((r) => ({
    id: r.id,
    channelId: r.channel_id,
    category: r.category,
    listable: r.listable === 1,
    durationSeconds: r.duration_ms === null ? null : r.duration_ms / 1000,
    publishedAt: r.published_at,
    subscribers: r.subscriber_count,
  }));
}

export interface ScoreRow {
  videoId: string;
  region: string;
  channelId: string;
  category: string | null;
  score: number;
  rankKey: number;
  viewers: number;
  lastHour: number;
  computedAt: number;
}

/** The (region, category) of the stored scores of these videos: the lists they were in. */
export async function listsOf(db: Database, ids: readonly string[]) {
  if (!ids.length) return [];
  const { results } = await db.$client
    .prepare(`SELECT DISTINCT region, category FROM trending_scores WHERE video_id IN (${marks(ids.length)})`)
    .bind(...ids)
    .all<{ region: string; category: string | null }>();
  return results;
}

/** Replaces the stored scores of up to 90 videos with `rows` (those that trend now), in one batch. */
export async function replaceScores(db: Database, ids: readonly string[], rows: readonly ScoreRow[]) {
  const d1 = db.$client;
  const insert = d1.prepare(
    `INSERT INTO trending_scores (video_id, region, channel_id, category, score, rank_key, viewers, last_hour, computed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  await d1.batch([
    d1.prepare(`DELETE FROM trending_scores WHERE video_id IN (${marks(ids.length)})`).bind(...ids),
    ...rows.map((r) =>
      insert.bind(
        r.videoId,
        r.region,
        r.channelId,
        r.category,
        r.score,
        r.rankKey,
        r.viewers,
        r.lastHour,
        r.computedAt,
      ),
    ),
  ]);
}

/** Drops scores whose last activity left the window; answers the lists they were in. */
export async function dropStale(db: Database, beforeHour: number) {
  const { results } = await db.$client
    .prepare("DELETE FROM trending_scores WHERE last_hour < ? RETURNING region, category")
    .bind(beforeHour)
    .all<{ region: string; category: string | null }>();
  return results;
}

const RANKED = `SELECT t.video_id, t.channel_id, t.rank_key FROM trending_scores t
  JOIN videos v ON v.id = t.video_id AND ${LISTABLE_SQL}`;

/**
 * The best stored scores of a region (and category), listable videos only, best first.
 * Reads `limit` rows of the (region[, category], rank_key) index.
 */
export async function ranked(db: Database, region: string, category: string | null, limit: number) {
  // Two fixed statements rather than `(? IS NULL OR category = ?)`, which would keep SQLite
  // from walking the (region, category, rank_key) index.
  const statement =
    category === null
      ? db.$client.prepare(`${RANKED} WHERE t.region = ? ORDER BY t.rank_key DESC LIMIT ?`).bind(region, limit)
      : db.$client
          .prepare(`${RANKED} WHERE t.region = ? AND t.category = ? ORDER BY t.rank_key DESC LIMIT ?`)
          .bind(region, category, limit);
  const { results } = await statement.all<{ video_id: string; channel_id: string; rank_key: number }>();
  return results.map((r) => ({ videoId: r.video_id, channelId: r.channel_id, rankKey: r.rank_key }));
}

/** A list as stored in KV: rank keys, so a reader can tell each item's score at any later time. */
export interface StoredList {
  region: string;
  category: string;
  generated_at: number;
  items: { video_id: string; channel_id: string; rank_key: number }[];
}

/** KV key of a list (`all` for every category, `global` for every region). */
export const listKey = (region: string, category: string) => `trending:v1:${region}:${encodeURIComponent(category)}`;
const WATERMARK_KEY = "trending:v1:_watermark";
/** A list nobody rewrites for a week is dropped rather than served forever. */
const LIST_TTL_SECONDS = 7 * 24 * 3600;

export async function writeList(kv: KVNamespace, list: StoredList): Promise<void> {
  await kv.put(listKey(list.region, list.category), JSON.stringify(list), { expirationTtl: LIST_TTL_SECONDS });
}

export async function readList(kv: KVNamespace, region: string, category: string): Promise<StoredList | null> {
  return kv.get<StoredList>(listKey(region, category), { type: "json", cacheTtl: 60 });
}

/** The last roll-up time the cron has seen (ms), so the next run reads only what came after. */
export async function readWatermark(kv: KVNamespace): Promise<number | null> {
  const value = await kv.get(WATERMARK_KEY);
  return value === null ? null : Number(value);
}

export async function writeWatermark(kv: KVNamespace, at: number): Promise<void> {
  await kv.put(WATERMARK_KEY, String(at));
}
