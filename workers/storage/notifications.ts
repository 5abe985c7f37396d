import { count, desc, eq, sql } from "drizzle-orm";
import type { InboxNotice, InboxRow } from "../durable-objects/user-inbox";
import type { Database } from "../env";
import { notifications, videos } from "./schema";

/** The user's notices kept in D1 (all but new-video ones), newest first: `limit` from the `offset`-th, and how many. */
/**
 * A user's inbox of new-video notices: kept in the user's own Durable Object (`UserInbox`),
 * not in the shared D1 (issue 23, docs/capacity.md). The wiring (`userInboxOf`) binds it to
 * one user.
 */
export interface InboxStore {
  deliver(notice: InboxNotice): Promise<boolean>;
  latest(limit: number): Promise<{ rows: InboxRow[]; total: number }>;
}

export async function listNotifications(db: Database, userId: string, offset: number, limit: number) {
  const [rows, total] = await Promise.all([
    db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, userId))
      .orderBy(desc(notifications.createdAt))
      .limit(limit)
      .offset(offset)
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
 * One page of a channel's subscribers (user ids after `after`, in id order, over the
 * `(channel_id, user_id)` index) and the cursor of the next page, or null when this page was
 * the last.
 */
export async function subscriberPage(
  db: Database,
  channelId: string,
  after: string | null,
  pageSize: number,
): Promise<{ userIds: string[]; next: string | null }> {
  const { results } = await db.$client
    .prepare("SELECT user_id FROM subscriptions WHERE channel_id = ?1 AND user_id > ?2 ORDER BY user_id LIMIT ?3")
    .bind(channelId, after ?? "", pageSize)
    .all<{ user_id: string }>();
  const userIds = results.map((r) => r.user_id);
  return { userIds, next: userIds.length === pageSize ? (userIds.at(-1) ?? null) : null };
}
