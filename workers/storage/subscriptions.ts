import { and, count, desc, eq, gte, sql } from "drizzle-orm";
import type { Database } from "../env";
import { channels, subscriptions, videos } from "./schema";
import { listable } from "./videos";

/**
 * Subscribes; a second subscribe is a no-op (the primary key decides). The trigger on
 * `subscriptions` counts only rows really inserted, so the count stays exact.
 */
export async function subscribe(db: Database, userId: string, channelId: string): Promise<void> {
  await db.insert(subscriptions).values({ userId, channelId }).onConflictDoNothing();
}

export async function unsubscribe(db: Database, userId: string, channelId: string): Promise<void> {
  await db.delete(subscriptions).where(and(eq(subscriptions.userId, userId), eq(subscriptions.channelId, channelId)));
}

export async function isSubscribed(db: Database, userId: string, channelId: string): Promise<boolean> {
  const found = await db
    .select({ id: subscriptions.channelId })
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), eq(subscriptions.channelId, channelId)))
    .get();
  return found !== undefined;
}

/** The channels a user follows, most recently followed first. */
export async function listSubscriptions(db: Database, userId: string, page: number, limit: number) {
  const [rows, total] = await Promise.all([
    db
      .select({ channel: channels, subscribedAt: subscriptions.createdAt })
      .from(subscriptions)
      .innerJoin(channels, eq(channels.id, subscriptions.channelId))
      .where(eq(subscriptions.userId, userId))
      .orderBy(desc(subscriptions.createdAt), desc(subscriptions.channelId))
      .limit(limit)
      .offset((page - 1) * limit)
      .all(),
    db.select({ n: count() }).from(subscriptions).where(eq(subscriptions.userId, userId)).get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** The newest listable videos of the channels a user subscribes to, published since `since`. */
export async function subscriptionUploads(db: Database, userId: string, since: Date, limit: number) {
  return db
    .select({ id: videos.id, channelId: videos.channelId })
    .from(subscriptions)
    .innerJoin(videos, eq(videos.channelId, subscriptions.channelId))
    .where(and(eq(subscriptions.userId, userId), listable, gte(videos.publishedAt, since)))
    .orderBy(desc(videos.publishedAt))
    .limit(limit)
    .all();
}

/** The channels a user subscribes to (for channel affinity). */
export async function subscribedChannels(db: Database, userId: string) {
  const rows = await db
    .select({ channelId: subscriptions.channelId })
    .from(subscriptions)
    .where(eq(subscriptions.userId, userId))
    .limit(500)
    .all();
  return rows.map((r) => r.channelId);
}

/** Whether the user subscribes to the channel of the account `ownerId` (every account owns one channel). */
export async function subscribesTo(db: Database, userId: string, ownerId: string): Promise<boolean> {
  const row = await db
    .select({ one: sql<number>`1` })
    .from(subscriptions)
    .innerJoin(channels, eq(channels.id, subscriptions.channelId))
    .where(and(eq(subscriptions.userId, userId), eq(channels.ownerId, ownerId)))
    .get();
  return row !== undefined;
}
