import type { Database } from "../env";
import { notFound, problem } from "../lib/errors";
import { findChannel } from "../storage/accounts";
import * as subs from "../storage/subscriptions";
import { listChannelVideos } from "../storage/videos";
import { channelOut } from "./accounts";
import { toVideoSummary, videoSummaries } from "./videos";

async function existingChannel(db: Database, channelId: string) {
  const found = await findChannel(db, channelId);
  if (!found) throw notFound("Channel");
  return found;
}

/** A channel's public, ready videos, newest first; `total` is the channel's exact video count. */
export async function channelVideos(db: Database, channelId: string, origin: string, page: number, limit: number) {
  const [channel, rows] = await Promise.all([
    existingChannel(db, channelId),
    listChannelVideos(db, channelId, page, limit),
  ]);
  return { items: rows.map((row) => toVideoSummary(row, origin)), page, limit, total: channel.videoCount };
}

/** Subscribes the user to a channel; idempotent. Nobody subscribes to their own channel. */
export async function subscribe(db: Database, userId: string, channelId: string): Promise<void> {
  const channel = await existingChannel(db, channelId);
  if (channel.ownerId === userId) {
    throw problem("cannot_subscribe_to_self", { detail: "This is your own channel." });
  }
  await subs.subscribe(db, userId, channelId);
}

/** Ends a subscription; idempotent (no subscription is not an error), but the channel must exist. */
export async function unsubscribe(db: Database, userId: string, channelId: string): Promise<void> {
  await existingChannel(db, channelId);
  await subs.unsubscribe(db, userId, channelId);
}

/** The channels the user follows, most recent first. */
export async function subscriptionsOf(db: Database, userId: string, page: number, limit: number) {
  const { rows, total } = await subs.listSubscriptions(db, userId, page, limit);
  return {
    items: rows.map((r) => ({ ...channelOut(r.channel), subscribed_at: r.subscribedAt.toISOString() })),
    page,
    limit,
    total,
  };
}

/** Whether the user follows the channel (the channel page's button). */
export async function isSubscribed(db: Database, userId: string, channelId: string): Promise<boolean> {
  return subs.isSubscribed(db, userId, channelId);
}

/** How far back the home page's "new from your subscriptions" looks. */
const FEED_WINDOW_MS = 30 * 86_400_000;

/** The newest public uploads of the channels the user follows, newest first. */
export async function subscriptionFeed(db: Database, userId: string, origin: string, limit: number) {
  const rows = await subs.subscriptionUploads(db, userId, new Date(Date.now() - FEED_WINDOW_MS), limit);
  return videoSummaries(
    db,
    rows.map((r) => r.id),
    origin,
  );
}
