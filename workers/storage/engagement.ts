import { and, count, desc, eq, lt, or, sql } from "drizzle-orm";
import type { Database } from "../env";
import { channels, users, videoLikes, videos, viewMarks, watchHistory } from "./schema";

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

/**
 * Upserts the history row (unless paused) and marks a view for this viewer and hour, in one
 * batch. Returns whether the view mark is new, i.e. whether this report counted a view.
 */
export async function recordWatch(
  db: Database,
  row: { userId?: string; videoId: string; position: number; duration: number; now: Date; writeHistory: boolean },
  view: { viewer: string; hour: number } | undefined,
): Promise<boolean> {
  const percent = Math.min(100, Math.round((row.position / row.duration) * 1000) / 10);
  const statements = [];
  if (row.writeHistory && row.userId) {
    statements.push(
      db
        .insert(watchHistory)
        .values({
          userId: row.userId,
          videoId: row.videoId,
          position: row.position,
          duration: row.duration,
          percent,
          watchedAt: row.now,
        })
        .onConflictDoUpdate({
          target: [watchHistory.userId, watchHistory.videoId],
          set: { position: row.position, duration: row.duration, percent, watchedAt: row.now },
        }),
    );
  }
  if (view) {
    statements.push(
      db
        .insert(viewMarks)
        .values({ videoId: row.videoId, viewer: view.viewer, hour: view.hour })
        .onConflictDoNothing()
        .returning({ viewer: viewMarks.viewer }),
    );
  }
  if (!statements.length) return false;
  const [first, ...rest] = statements;
  const results = await db.batch([first!, ...rest]);
  return view ? (results[results.length - 1] as unknown[]).length === 1 : false;
}

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

export async function setHistoryPaused(db: Database, userId: string, paused: boolean) {
  await db.update(users).set({ historyPaused: paused }).where(eq(users.id, userId));
}

/**
 * Rolls one watch event into its video's hour, once: the event id is recorded in the same
 * batch, and the roll-up only runs when that insert was new (`changes() = 1`).
 */
export async function rollUp(
  d1: D1Database,
  event: {
    id: string;
    videoId: string;
    hour: number;
    views: number;
    watchSeconds: number;
    likes: number;
    shares: number;
  },
) {
  await d1.batch([
    d1.prepare("INSERT INTO processed_events (id) VALUES (?) ON CONFLICT DO NOTHING").bind(event.id),
    d1
      .prepare(
        `INSERT INTO video_stats_hourly (video_id, hour, views, watch_seconds, likes, shares)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE changes() = 1 AND EXISTS (SELECT 1 FROM videos WHERE id = ?1)
         ON CONFLICT (video_id, hour) DO UPDATE SET
           views = views + excluded.views,
           watch_seconds = watch_seconds + excluded.watch_seconds,
           likes = likes + excluded.likes,
           shares = shares + excluded.shares`,
      )
      .bind(event.videoId, event.hour, event.views, event.watchSeconds, event.likes, event.shares),
  ]);
}
