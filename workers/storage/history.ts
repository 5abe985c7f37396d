import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { HistoryRow, HistoryWrite, PreviousReport } from "../durable-objects/user-history";
import type { Database } from "../env";
import { chunks } from "../lib/groups";
import { channels, users, type Video, videos } from "./schema";

/**
 * A user's watch history and resume points: kept in the user's own Durable Object
 * (`UserHistory`), not in the shared D1 (issue 23, docs/capacity.md). What the services call;
 * the wiring (`historyOf`) binds it to one user.
 */
export interface HistoryStore {
  /** What the video's last report left, and this one kept unless `write` is undefined (paused). */
  report(videoId: string, write: HistoryWrite | undefined): Promise<PreviousReport | null>;
  /** The video's room has the user's view mark for `hour`. */
  marked(videoId: string, hour: number): Promise<void>;
  resume(videoId: string): Promise<{ position: number; duration: number } | null>;
  /** Newest first, after the keyset `before` when given. */
  page(limit: number, before?: HistoryCursor): Promise<HistoryRow[]>;
  clear(videoId?: string): Promise<void>;
  /** The user's like (1), dislike (-1) or neither (0) of a video; answers the one it replaces. */
  like(videoId: string, value: -1 | 0 | 1, at: Date): Promise<number>;
}

/**
 * The live rooms a signed-in user joined lately, kept by the user's object (`UserHistory`):
 * a suspension closes the user's sockets there, a block reaches those rooms.
 */
export interface RoomMemory {
  joined(userId: string, videoId: string, at: Date): Promise<void>;
  /** The rooms joined since `since`. */
  roomsOf(userId: string, since: Date): Promise<string[]>;
}

export interface HistoryCursor {
  at: number;
  videoId: string;
}

/** Whether the user paused their history (the account's setting, on its D1 row). */
export async function historyPaused(db: Database, userId: string): Promise<boolean> {
  const row = await db.select({ paused: users.historyPaused }).from(users).where(eq(users.id, userId)).get();
  return row?.paused ?? false;
}

/**
 * The videos of history rows that `userId` may still see, with their channels, by id: gone
 * videos and other people's private ones drop out (as D1's join with the history did).
 */
export async function historyVideos(
  db: Database,
  userId: string,
  videoIds: readonly string[],
): Promise<Map<string, { video: Video; channel: { id: string; name: string; verified: boolean } }>> {
  const rows = await inChunks(videoIds, (ids) =>
    db
      .select({ video: videos, channel: { id: channels.id, name: channels.name, verified: channels.verified } })
      .from(videos)
      .innerJoin(channels, eq(channels.id, videos.channelId))
      .where(and(inArray(videos.id, ids), or(sql`${videos.visibility} <> 'private'`, eq(videos.ownerId, userId))))
      .all(),
  );
  return new Map(rows.map((r) => [r.video.id, r]));
}

/** The rows `read` answers for the distinct ids, a D1-sized chunk at a time. */
async function inChunks<T>(ids: readonly string[], read: (ids: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (const part of chunks([...new Set(ids)])) out.push(...(await read(part)));
  return out;
}

/** The channel of each video that still exists, by id (recommendations' seeds). */
export async function channelsOfVideos(db: Database, videoIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await inChunks(videoIds, (ids) =>
    db.select({ id: videos.id, channelId: videos.channelId }).from(videos).where(inArray(videos.id, ids)).all(),
  );
  return new Map(rows.map((r) => [r.id, r.channelId]));
}
