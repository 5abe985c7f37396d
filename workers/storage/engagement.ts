import type { Database } from "../env";
import { addLogSql } from "./signals";
import type { Counts } from "./videos";

/**
 * What each video's room flushes into D1 (counters, seconds watched, co-view total). The hours,
 * the view marks and the co-views live in each video's room; history, likes and room joins in
 * each user's object (docs/capacity.md).
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
 * is gone).
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
