import type { Database } from "../env";
import type { FanOutMessage } from "../schemas/notifications";
import type { Producer } from "../schemas/queues";
import { insertNewVideoPage, listNotifications } from "../storage/notifications";
import { findListing } from "../storage/videos";

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

export interface FanOutDeps {
  db: Database;
  queue: Producer<FanOutMessage>;
  /** Subscribers notified per message: one consumer run writes at most this many rows. */
  pageSize: number;
}

async function announceable(db: Database, videoId: string) {
  const video = await findListing(db, videoId);
  // Never for unlisted or private videos (API.md), nor one deleted, blocked or hidden meanwhile.
  return video?.listable ? video : undefined;
}

/**
 * A video became ready: if it is public, start telling its channel's subscribers, one page
 * per `notification-fanout` message, so a channel with 100,000 subscribers costs many small
 * consumer runs rather than one request of 100,000 writes.
 */
export async function startNewVideoFanOut(deps: FanOutDeps, videoId: string): Promise<boolean> {
  if (!(await announceable(deps.db, videoId))) return false;
  await deps.queue.send({ kind: "new_video", video_id: videoId, after: null });
  return true;
}

/**
 * One page of the fan-out: notify the subscribers after the cursor, then send the message
 * for the next page. Redelivery is harmless: a user has one `new_video` row per video.
 * A video turned private (or deleted) between pages stops the fan-out there.
 */
export async function fanOutPage(deps: FanOutDeps, message: FanOutMessage): Promise<void> {
  const video = await announceable(deps.db, message.video_id);
  if (!video) return;
  const next = await insertNewVideoPage(
    deps.db,
    { id: video.id, channelId: video.channelId, message: `New from ${video.channelName}: ${video.title}` },
    message.after,
    deps.pageSize,
  );
  if (next) await deps.queue.send({ ...message, after: next });
}
