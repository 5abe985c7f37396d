import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { Database } from "../env";
import { channels, users, videos, watchHistory } from "./schema";

/** The viewer's previous report and whether their history is paused, in one round trip. */
export async function historyContext(db: Database, userId: string, videoId: string) {
  const [paused, previous] = await db.batch([
    db.select({ paused: users.historyPaused }).from(users).where(eq(users.id, userId)),
    db
      .select({ position: watchHistory.position, watchedAt: watchHistory.watchedAt })
      .from(watchHistory)
      .where(and(eq(watchHistory.userId, userId), eq(watchHistory.videoId, videoId))),
  ]);
  return { paused: paused[0]?.paused ?? false, previous: previous[0] };
}

export interface HistoryEntry {
  userId: string;
  videoId: string;
  position: number;
  duration: number;
  watchedAt: Date;
}

/** Statement (for a batch): the user's resume point in the video, replacing the last one. */
export function upsertHistory(db: Database, entry: HistoryEntry) {
  const percent = Math.min(100, Math.round((entry.position / entry.duration) * 1000) / 10);
  const { position, duration, watchedAt } = entry;
  return db
    .insert(watchHistory)
    .values({ ...entry, percent })
    .onConflictDoUpdate({
      target: [watchHistory.userId, watchHistory.videoId],
      set: { position, duration, percent, watchedAt },
    });
}

export async function findResume(db: Database, userId: string, videoId: string) {
  return db
    .select({ position: watchHistory.position, duration: watchHistory.duration })
    .from(watchHistory)
    .where(and(eq(watchHistory.userId, userId), eq(watchHistory.videoId, videoId)))
    .get();
}

export interface HistoryCursor {
  at: number;
  videoId: string;
}

/** The user's history, newest first, keyset-paginated; other people's private videos drop out. */
export async function listHistory(db: Database, userId: string, limit: number, cursor?: HistoryCursor) {
  return db
    .select({
      history: watchHistory,
      video: videos,
      channel: { id: channels.id, name: channels.name, verified: channels.verified },
    })
    .from(watchHistory)
    .innerJoin(videos, eq(videos.id, watchHistory.videoId))
    .innerJoin(channels, eq(channels.id, videos.channelId))
    .where(
      and(
        eq(watchHistory.userId, userId),
        or(sql`${videos.visibility} <> 'private'`, eq(videos.ownerId, userId)),
        cursor
          ? or(
              lt(watchHistory.watchedAt, new Date(cursor.at)),
              and(eq(watchHistory.watchedAt, new Date(cursor.at)), lt(watchHistory.videoId, cursor.videoId)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(watchHistory.watchedAt), desc(watchHistory.videoId))
    .limit(limit + 1)
    .all();
}

export async function clearHistory(db: Database, userId: string, videoId?: string) {
  await db
    .delete(watchHistory)
    .where(and(eq(watchHistory.userId, userId), videoId ? eq(watchHistory.videoId, videoId) : undefined));
}

/** A user's most recent history, newest first: the seeds and the "already finished" filter of recommendations. */
export async function recentHistory(db: Database, userId: string, limit: number) {
  return db
    .select({ videoId: watchHistory.videoId, percent: watchHistory.percent, channelId: videos.channelId })
    .from(watchHistory)
    .innerJoin(videos, eq(videos.id, watchHistory.videoId))
    .where(eq(watchHistory.userId, userId))
    .orderBy(desc(watchHistory.watchedAt))
    .limit(limit)
    .all();
}
