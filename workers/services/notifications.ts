import type { Database } from "../env";
import { listNotifications } from "../storage/notifications";

/** The user's notifications, newest first. */
export async function notificationsOf(db: Database, userId: string, page: number, limit: number) {
  const { rows, total } = await listNotifications(db, userId, page, limit);
  return {
    items: rows.map((n) => ({
      id: n.id,
      type: n.type,
      ...(n.videoId ? { video_id: n.videoId } : {}),
      message: n.message,
      read: n.read,
      created_at: n.createdAt.toISOString(),
    })),
    page,
    limit,
    total,
  };
}
