import type { Database } from "../env";
import { validationFailed } from "../lib/errors";
import type { VideoSummary } from "../schemas/videos";
import { setHistoryPaused as storePaused } from "../storage/accounts";
import * as store from "../storage/history";
import type { Video } from "../storage/schema";
import { toVideoSummary } from "./videos";

const encodeCursor = (c: store.HistoryCursor) => btoa(`${c.at}:${c.videoId}`).replace(/=+$/, "");

function decodeCursor(text: string): store.HistoryCursor {
  try {
    const [at, videoId] = atob(text).split(":");
    if (at && videoId && /^\d+$/.test(at)) return { at: Number(at), videoId };
  } catch {
    // fall through to the error below
  }
  throw validationFailed([{ name: "cursor", reason: "is not a cursor this API gave out" }]);
}

const historyVideo = (summary: VideoSummary, video: Video) => ({
  ...summary,
  thumbnail_url: summary.thumbnail,
  visibility: video.visibility,
  status: video.status,
  created_at: video.createdAt.toISOString(),
});

/** Spec: Watch History Flow. Newest first, with the resume point of each video. */
export async function historyOf(db: Database, userId: string, origin: string, limit: number, cursor?: string) {
  const rows = await store.listHistory(db, userId, limit, cursor ? decodeCursor(cursor) : undefined);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ history, video, channel }) => ({
      video: historyVideo(toVideoSummary({ video, channel }, origin), video),
      position: history.position,
      duration: history.duration,
      percent: history.percent,
      watched_at: history.watchedAt.toISOString(),
    })),
    limit,
    next_cursor:
      rows.length > limit && last
        ? encodeCursor({ at: last.history.watchedAt.getTime(), videoId: last.video.id })
        : null,
  };
}

export const clearHistory = store.clearHistory;
export const setHistoryPaused = storePaused;
