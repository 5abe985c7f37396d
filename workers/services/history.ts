import type { HistoryRow } from "../durable-objects/user-history";
import type { Database } from "../env";
import { validationFailed } from "../lib/errors";
import type { VideoSummary } from "../schemas/videos";
import { setHistoryPaused as storePaused } from "../storage/accounts";
import * as store from "../storage/history";
import type { Video } from "../storage/schema";
import type { SummaryRow } from "../storage/videos";
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

export interface HistoryDeps {
  db: Database;
  /** The user's history (their own object). */
  history(userId: string): store.HistoryStore;
}

/** Reads of the user's object for one page at most, when many entries drop out. */
const PAGE_ROUNDS = 4;

/**
 * Spec: Watch History Flow. Newest first, with the resume point of each video. The user's
 * object answers the entries; D1 the videos, of which gone ones and other people's private
 * ones drop out, so the object is read again further on until the page is full, the history
 * ends or PAGE_ROUNDS reads are done (then the page may be short, and its cursor goes on
 * from the last entry read).
 */
export async function historyOf(deps: HistoryDeps, userId: string, origin: string, limit: number, cursor?: string) {
  const history = deps.history(userId);
  const found: { row: HistoryRow; video: Video; channel: SummaryRow["channel"] }[] = [];
  let before = cursor ? decodeCursor(cursor) : undefined;
  let ended = false;
  for (let round = 0; round < PAGE_ROUNDS && found.length <= limit; round++) {
    const want = limit + 1 - found.length;
    const rows = await history.page(want, before);
    const videos = await store.historyVideos(
      deps.db,
      userId,
      rows.map((r) => r.video_id),
    );
    for (const row of rows) {
      const v = videos.get(row.video_id);
      if (v) found.push({ row, ...v });
    }
    const last = rows.at(-1);
    if (rows.length < want || !last) {
      ended = true;
      break;
    }
    before = { at: last.watched_at, videoId: last.video_id };
  }
  const page = found.slice(0, limit);
  const last = page.at(-1);
  let next: store.HistoryCursor | undefined;
  if (found.length > limit && last) next = { at: last.row.watched_at, videoId: last.video.id };
  else if (!ended) next = before;
  return {
    items: page.map(({ row, video, channel }) => ({
      video: historyVideo(toVideoSummary({ video, channel }, origin), video),
      position: row.position,
      duration: row.duration,
      percent: row.percent,
      watched_at: new Date(row.watched_at).toISOString(),
    })),
    limit,
    next_cursor: next ? encodeCursor(next) : null,
  };
}

/** Forgets one video of the user's history, or all of it. */
export const clearHistory = (deps: HistoryDeps, userId: string, videoId?: string) =>
  deps.history(userId).clear(videoId);
export const setHistoryPaused = storePaused;
