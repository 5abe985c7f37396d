import type { HistoryStore } from "../storage/history";

/** A user's watch history (`UserHistory`, named by the user id), called by RPC: the one place that makes that stub. */
export function userHistoryOf(env: Env, userId: string): HistoryStore {
  const stub = env.USER_HISTORY.get(env.USER_HISTORY.idFromName(userId));
  return {
    report: (videoId, write) => stub.report(userId, videoId, write),
    marked: (videoId, hour) => stub.marked(userId, videoId, hour),
    resume: (videoId) => stub.resume(userId, videoId),
    page: (limit, before) => stub.page(userId, limit, before),
    clear: async (videoId) => {
      await stub.clear(userId, videoId);
    },
    pullFromD1: () => stub.pullFromD1(userId, true),
  };
}
