import { and, count, eq } from "drizzle-orm";
import type { Database } from "../env";
import { videoLikes } from "./schema";
import type { RegionHour } from "./trending";

/** Likes and the hourly roll-ups of watch events (view marks live in each video's room, history in each user's object). */

export async function findLike(db: Database, userId: string, videoId: string) {
  const row = await db
    .select({ value: videoLikes.value })
    .from(videoLikes)
    .where(and(eq(videoLikes.userId, userId), eq(videoLikes.videoId, videoId)))
    .get();
  return row?.value ?? 0;
}

/** Sets the user's like (1), dislike (-1) or neither (0) and answers the exact counts. */
export async function setLike(db: Database, userId: string, videoId: string, value: number) {
  const write =
    value === 0
      ? db.delete(videoLikes).where(and(eq(videoLikes.userId, userId), eq(videoLikes.videoId, videoId)))
      : db
          .insert(videoLikes)
          .values({ userId, videoId, value })
          .onConflictDoUpdate({ target: [videoLikes.userId, videoLikes.videoId], set: { value } });
  const [, counts] = await db.batch([
    write,
    db
      .select({ value: videoLikes.value, n: count() })
      .from(videoLikes)
      .where(eq(videoLikes.videoId, videoId))
      .groupBy(videoLikes.value),
  ]);
  const of = (v: number) => counts.find((c) => c.value === v)?.n ?? 0;
  return { likes: of(1), dislikes: of(-1) };
}

/**
 * Rolls one watch event into its video's hour in its region, once: the event id is recorded
 * in the same batch, and the roll-up runs only when that statement changed a row
 * (`changes() = 1`: a new event id) and the video exists. A video's hour over all regions is
 * the sum of its regional rows (`ZZ` where the region is unknown), so it is not kept apart
 * (migration 0015 dropped `video_stats_hourly`: a third of the write path's statements).
 */
export async function rollUp(
  db: Database,
  event: RegionHour & {
    id: string;
    /** When the consumer rolls it up: the cron's watermark (an event may arrive late). */
    rolledAt: number;
  },
) {
  // Raw D1: drizzle cannot batch an INSERT ... SELECT that reads changes() of the statement before it.
  const d1 = db.$client;
  await d1.batch([
    d1.prepare("INSERT INTO processed_events (id) VALUES (?) ON CONFLICT DO NOTHING").bind(event.id),
    d1
      .prepare(
        `INSERT INTO video_region_hourly (video_id, region, hour, views, watch_seconds, likes, comments, shares, updated_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE changes() = 1 AND EXISTS (SELECT 1 FROM videos WHERE id = ?1)
         ON CONFLICT (video_id, region, hour) DO UPDATE SET
           views = views + excluded.views,
           watch_seconds = watch_seconds + excluded.watch_seconds,
           likes = likes + excluded.likes,
           comments = comments + excluded.comments,
           shares = shares + excluded.shares,
           updated_at = max(updated_at, excluded.updated_at)`,
      )
      .bind(
        event.videoId,
        event.region,
        event.hour,
        event.views,
        event.watchSeconds,
        event.likes,
        event.comments,
        event.shares,
        event.rolledAt,
      ),
  ]);
}

/**
 * How long a watch event's id is kept after it was rolled up. The id only has to outlive a
 * redelivery of the same message, and the consumer's retries all come within about 5 minutes
 * (queues/consume.ts `retryDelay`: 10 + 20 + 40 + 80 + 160 s over its 5 retries); an hour is
 * twelve times that, for a backlog in between. Kept forever, the ids were half of D1's growth
 * (docs/capacity.md).
 */
export const PROCESSED_KEEP_MS = 3_600_000;

/**
 * Deletes at most `limit` of the oldest event ids recorded before `before` (ms), through the
 * `created_at` index; returns how many went.
 */
export async function forgetProcessedEvents(db: Database, before: number, limit: number): Promise<number> {
  const d1 = db.$client;
  const { meta } = await d1
    .prepare(
      `DELETE FROM processed_events WHERE rowid IN (
         SELECT rowid FROM processed_events WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)`,
    )
    .bind(before, limit)
    .run();
  return meta.changes ?? 0;
}

/** Hours older than this are folded by day: trending reads 48 of them, and a week is the keep. */
export const HOURLY_KEEP_MS = 7 * 86_400_000;

/**
 * Folds at most `limit` of the oldest regional hourly rows from hours before `before` (ms;
 * rows count hours since the epoch) into their video's day (days since the epoch), over all
 * regions, and deletes them, in one batch: the two statements pick the same rows (the oldest
 * by hour, then rowid, nothing writing between), so a fold either lands whole or not at all,
 * and a day's row adds what each later fold brings. Returns the hourly rows folded. The days
 * are no longer kept per region (`video_region_daily`, 193 MB a day at 10 million views, had
 * no reader: a creator's regions come from Analytics Engine); its rows stay as they were.
 */
export async function foldRollUps(db: Database, before: number, limit: number): Promise<number> {
  const d1 = db.$client;
  const oldest = "rowid IN (SELECT rowid FROM video_region_hourly WHERE hour < ?1 ORDER BY hour, rowid LIMIT ?2)";
  const day = "hour / 24";
  const firstKept = Math.floor(before / 3_600_000);
  const [, folded] = await d1.batch([
    d1
      .prepare(
        `INSERT INTO video_stats_daily (video_id, day, views, watch_seconds, likes, shares)
         SELECT video_id, ${day}, sum(views), sum(watch_seconds), sum(likes), sum(shares)
         FROM video_region_hourly WHERE ${oldest} GROUP BY video_id, ${day}
         ON CONFLICT (video_id, day) DO UPDATE SET
           views = views + excluded.views, watch_seconds = watch_seconds + excluded.watch_seconds,
           likes = likes + excluded.likes, shares = shares + excluded.shares`,
      )
      .bind(firstKept, limit),
    d1.prepare(`DELETE FROM video_region_hourly WHERE ${oldest}`).bind(firstKept, limit),
  ]);
  return folded?.meta.changes ?? 0;
}

/** A view mark as the shared D1 kept it before each video's room did (migration 0015's table). */
export interface LegacyMark {
  video_id: string;
  viewer: string;
  hour: number;
  region: string;
}

/** The first `limit` marks left in D1's `view_marks`, in key order (what `forgetLegacyMarks` then deletes). */
export async function legacyMarks(db: Database, limit: number): Promise<LegacyMark[]> {
  const { results } = await db.$client
    .prepare("SELECT video_id, viewer, hour, region FROM view_marks ORDER BY video_id, viewer, hour LIMIT ?")
    .bind(limit)
    .all<LegacyMark>();
  return results;
}

/** Deletes D1's marks up to and including `last`'s key: the ones `legacyMarks` answered. */
export async function forgetLegacyMarks(db: Database, last: LegacyMark): Promise<number> {
  const { meta } = await db.$client
    .prepare("DELETE FROM view_marks WHERE (video_id, viewer, hour) <= (?, ?, ?)")
    .bind(last.video_id, last.viewer, last.hour)
    .run();
  return meta.changes;
}
