import { type HourColumns, type HourRow, hourRowOf } from "../durable-objects/room-hours";
import type { Database } from "../env";
import { addLogSql } from "./signals";
import type { Counts } from "./videos";

/**
 * What each video's room flushes (counters, seconds watched, co-view total) and the backfills
 * of what D1 kept before the rooms did (view marks, hourly and daily roll-ups). The hours, the
 * marks and the co-views live in each video's room; history, likes and room joins in each
 * user's object.
 */

/** What a room flushes into D1 from its alarm (video-room.ts). */
export interface RoomFlush {
  /** Deltas of the public counters. */
  counts: Counts;
  /** A log-count of new co-views, added to the video's co-view total (storage/signals.ts). */
  coViewLog?: number;
  /** Seconds watched that the room's rolled-up events add to the video's all-time sum. */
  watchSeconds: number;
  /** The flush's time: the video's `active_at`, where trending finds videos with new activity. */
  at: number;
}

/**
 * A room's flush in one statement: the counters and the seconds watched added, the co-view
 * total raised, the video marked active (only while the video exists: a deleted video's row
 * is gone). Until 2026-12-07 each day's roll-up also went into `video_stats_daily`, a row per
 * video and day that only the all-time figures read (migration 0018).
 */
export async function flushRoom(db: Database, videoId: string, f: RoomFlush) {
  await db.$client
    .prepare(
      `UPDATE videos SET view_count = view_count + ?2, like_count = like_count + ?3,
         dislike_count = dislike_count + ?4, comment_count = comment_count + ?5, share_count = share_count + ?6,
         co_view_log = ${f.coViewLog === undefined ? "co_view_log" : addLogSql("co_view_log", "?7")},
         active_at = ?8, watch_seconds = watch_seconds + ?9
       WHERE id = ?1`,
    )
    .bind(
      videoId,
      f.counts.views,
      f.counts.likes,
      f.counts.dislikes,
      f.counts.comments,
      f.counts.shares,
      f.coViewLog ?? null,
      f.at,
      f.watchSeconds,
    )
    .run();
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

/** An hourly roll-up as the shared D1 kept it before each video's room did. */
export type LegacyHour = HourRow & { videoId: string };

/** The first `limit` hourly rows left in D1's `video_region_hourly`, in key order. */
export async function legacyHours(db: Database, limit: number): Promise<LegacyHour[]> {
  const { results } = await db.$client
    .prepare(
      `SELECT video_id, region, hour, views, watch_seconds, likes, comments, shares FROM video_region_hourly
       ORDER BY video_id, region, hour LIMIT ?`,
    )
    .bind(limit)
    .all<HourColumns & { video_id: string }>();
  return results.map((r) => ({ videoId: r.video_id, ...hourRowOf(r) }));
}

/**
 * D1's hourly rows up to and including `last`'s key (the ones `legacyHours` answered) folded
 * into their videos' all-time seconds watched and deleted, in one batch, so a fold lands whole
 * or not at all (their views, likes and shares are in the counters already). Answers the rows
 * folded.
 */
export async function foldLegacyHours(db: Database, last: LegacyHour): Promise<number> {
  const d1 = db.$client;
  const upTo = "(video_id, region, hour) <= (?1, ?2, ?3)";
  const [, folded] = await d1.batch([
    d1
      .prepare(
        `UPDATE videos SET watch_seconds = watch_seconds + h.total
         FROM (SELECT video_id, sum(watch_seconds) AS total FROM video_region_hourly WHERE ${upTo} GROUP BY video_id) h
         WHERE videos.id = h.video_id`,
      )
      .bind(last.videoId, last.region, last.hour),
    d1.prepare(`DELETE FROM video_region_hourly WHERE ${upTo}`).bind(last.videoId, last.region, last.hour),
  ]);
  return folded?.meta.changes ?? 0;
}

/** The `limit`-th video (in key order) that D1's `video_stats_daily` still has days of, or the last one. */
export async function legacyDaysUpTo(db: Database, limit: number): Promise<string | null> {
  const row = await db.$client
    .prepare(
      "SELECT max(video_id) AS last FROM (SELECT DISTINCT video_id FROM video_stats_daily ORDER BY video_id LIMIT ?)",
    )
    .bind(limit)
    .first<{ last: string | null }>();
  return row?.last ?? null;
}

/**
 * In one batch: the days of every video up to `last` (in key order) added to its all-time
 * seconds watched, then deleted. Safe to run again: what it adds leaves with it. Answers the
 * rows folded.
 */
export async function foldLegacyDays(db: Database, last: string): Promise<number> {
  const d1 = db.$client;
  const [, folded] = await d1.batch([
    d1
      .prepare(
        `UPDATE videos SET watch_seconds = watch_seconds + d.total
         FROM (SELECT video_id, sum(watch_seconds) AS total FROM video_stats_daily WHERE video_id <= ?1 GROUP BY video_id) d
         WHERE videos.id = d.video_id`,
      )
      .bind(last),
    d1.prepare("DELETE FROM video_stats_daily WHERE video_id <= ?").bind(last),
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
