import { INBOX_CAP } from "../durable-objects/user-inbox";
import type { Database } from "../env";
import { perKey } from "../lib/groups";
import { newId } from "../lib/ids";
import type { FanOutMessage } from "../schemas/notifications";
import type { Producer } from "../schemas/queues";
import { type InboxStore, listNotifications, subscriberPage } from "../storage/notifications";
import { findListing } from "../storage/videos";

export interface NotificationDeps {
  db: Database;
  inbox(userId: string): InboxStore;
}

/**
 * The user's notifications, newest first: the inbox's new-video notices merged with the rest,
 * which D1 keeps. Both are read from their newest to the page's end (an inbox holds at most
 * INBOX_CAP), then merged by time.
 */
export async function notificationsOf(deps: NotificationDeps, userId: string, page: number, limit: number) {
  const end = page * limit;
  const [kept, inbox] = await Promise.all([
    listNotifications(deps.db, userId, 0, end),
    deps.inbox(userId).latest(Math.min(end, INBOX_CAP)),
  ]);
  const all = [
    ...kept.rows.map((n) => ({
      id: n.id,
      type: n.type,
      ...(n.videoId ? { video_id: n.videoId } : {}),
      message: n.message,
      read: n.read,
      at: n.createdAt.getTime(),
    })),
    ...inbox.rows.map((n) => ({
      id: n.id,
      type: n.type,
      ...(n.video_id ? { video_id: n.video_id } : {}),
      message: n.message,
      read: n.read === 1,
      at: n.created_at,
    })),
  ].sort((x, y) => y.at - x.at || (x.id < y.id ? 1 : -1));
  return {
    items: all.slice(end - limit, end).map(({ at, ...n }) => ({ ...n, created_at: new Date(at).toISOString() })),
    page,
    limit,
    total: kept.total + inbox.total,
  };
}

export interface FanOutDeps {
  db: Database;
  /** Each subscriber's inbox (their own object). */
  inbox(userId: string): InboxStore;
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

/** Inboxes written at once while a page is delivered. */
const INBOXES_AT_ONCE = 16;

/**
 * One page of the fan-out: a notice into each subscriber's inbox after the cursor, then the
 * message for the next page. Redelivery is harmless: an inbox keeps one `new_video` notice
 * per video. A video turned private (or deleted) between pages stops the fan-out there.
 */
export async function fanOutPage(deps: FanOutDeps, message: FanOutMessage): Promise<void> {
  const video = await announceable(deps.db, message.video_id);
  if (!video) return;
  const { userIds, next } = await subscriberPage(deps.db, video.channelId, message.after, deps.pageSize);
  const notice = { type: "new_video", videoId: video.id, message: `New from ${video.channelName}: ${video.title}` };
  const createdAt = Date.now();
  await perKey(
    userIds,
    (id) => id,
    INBOXES_AT_ONCE,
    async (userId) => {
      await deps.inbox(userId).deliver({ ...notice, id: newId(), createdAt });
    },
  );
  if (next) await deps.queue.send({ ...message, after: next });
}
