import type { Database } from "../env";
import type { HistoryStore, RoomMemory } from "../storage/history";
import { roomsOf } from "../storage/moderation";

/** The user's `UserHistory` object (named by the user id): the one place that makes that stub. */
const historyStub = (env: Env, userId: string) => env.USER_HISTORY.get(env.USER_HISTORY.idFromName(userId));

/** A user's watch history and likes, called by RPC. */
export function userHistoryOf(env: Env, userId: string): HistoryStore {
  const stub = historyStub(env, userId);
  return {
    report: (videoId, write) => stub.report(userId, videoId, write),
    marked: (videoId, hour) => stub.marked(userId, videoId, hour),
    resume: (videoId) => stub.resume(userId, videoId),
    page: (limit, before) => stub.page(userId, limit, before),
    clear: async (videoId) => {
      await stub.clear(userId, videoId);
    },
    pullFromD1: () => stub.pullFromD1(userId, true),
    like: (videoId, value, at) => stub.like(userId, videoId, value, at.getTime()),
    pullLikesFromD1: () => stub.pullLikesFromD1(userId, true),
  };
}

/**
 * The rooms users joined lately, in each user's object; D1's `room_members` (written until
 * 2026-12-07, forgotten by the cron after a day) is read beside it until a migration drops it.
 */
export function roomMemory(env: Env, db: Database): RoomMemory {
  const stub = (userId: string) => historyStub(env, userId);
  return {
    joined: (userId, videoId, at) => stub(userId).joinedRoom(videoId, at.getTime()),
    roomsOf: async (userId, since) => {
      const [kept, legacy] = await Promise.all([stub(userId).roomsSince(since.getTime()), roomsOf(db, userId, since)]);
      return [...new Set([...kept, ...legacy])];
    },
  };
}
