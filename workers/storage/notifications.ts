import { count, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../env";
import { notifications, videos } from "./schema";

export async function listNotifications(db: Database, userId: string, page: number, limit: number) {
  const [rows, total] = await Promise.all([
    db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, userId))
      .orderBy(desc(notifications.createdAt))
      .limit(limit)
      .offset((page - 1) * limit)
      .all(),
    db.select({ n: count() }).from(notifications).where(eq(notifications.userId, userId)).get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/**
 * One notification per (user, type, video): a redelivered video-ready adds nothing. A video
 * deleted while its message waited in the queue gets none (the row would break the foreign
 * key, and the message would be retried to the dead-letter queue for nothing).
 */
export async function insertVideoNotification(
  db: Database,
  row: { id: string; userId: string; type: string; videoId: string; message: string },
) {
  await db.run(sql`INSERT INTO ${notifications} (id, user_id, type, video_id, message)
    SELECT ${row.id}, ${row.userId}, ${row.type}, ${row.videoId}, ${row.message}
    WHERE EXISTS (SELECT 1 FROM ${videos} WHERE ${videos.id} = ${row.videoId})
    ON CONFLICT DO NOTHING`);
}

/**
 * Notifies one page of a channel's subscribers (user ids after `after`, in id order) of a new
 * video, in one batch: the insert and the look-up of the page's last id read the same index
 * range. The unique (user, type, video) index makes a redelivered page add nothing. Answers
 * the cursor of the next page, or null when this page was the last.
 */
export async function insertNewVideoPage(
  db: Database,
  video: { id: string; channelId: string; message: string },
  after: string | null,
  pageSize: number,
): Promise<string | null> {
  const d1 = db.$client;
  const [, last] = await d1.batch<{ user_id: string }>([
    d1
      .prepare(
        `INSERT INTO notifications (id, user_id, type, video_id, message)
         SELECT lower(hex(randomblob(10))), s.user_id, 'new_video', ?1, ?2
         FROM subscriptions s WHERE s.channel_id = ?3 AND s.user_id > ?4
         ORDER BY s.user_id LIMIT ?5
         ON CONFLICT DO NOTHING`,
      )
      .bind(video.id, video.message, video.channelId, after ?? "", pageSize),
    d1
      .prepare(
        `SELECT user_id FROM subscriptions WHERE channel_id = ?1 AND user_id > ?2
         ORDER BY user_id LIMIT 1 OFFSET ?3`,
      )
      .bind(video.channelId, after ?? "", pageSize - 1),
  ]);
  return last?.results[0]?.user_id ?? null;
}
