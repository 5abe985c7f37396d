import type { HistoryStore, RoomMemory } from "../storage/history";

/** The user's `UserHistory` object (named by the user id): the one place that makes that stub. */
const historyStub = (env: Env, userId: string) => env.USER_HISTORY.get(env.USER_HISTORY.idFromName(userId));

/** A user's watch history and likes, called by RPC. */
export function userHistoryOf(env: Env, userId: string): HistoryStore {
  const stub = historyStub(env, userId);
  return {
    report: (videoId, write) => stub.report(videoId, write),
    marked: (videoId, hour) => stub.marked(videoId, hour),
    resume: (videoId) => stub.resume(videoId),
    page: (limit, before) => stub.page(limit, before),
    clear: async (videoId) => {
      await stub.clear(videoId);
    },
    like: (videoId, value, at) => stub.like(videoId, value, at.getTime()),
  };
}

/** The rooms users joined lately, in each user's object. */
export function roomMemory(env: Env): RoomMemory {
  const stub = (userId: string) => historyStub(env, userId);
  return {
    joined: (userId, videoId, at) => stub(userId).joinedRoom(videoId, at.getTime()),
    roomsOf: (userId, since) => stub(userId).roomsSince(since.getTime()),
  };
}
