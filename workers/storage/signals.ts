import type { Database } from "../env";
import { chunks } from "../lib/groups";

/**
 * Viewing signals for recommendations: each viewer's recent window (hash-sharded objects:
 * `ViewerWindowStore`), the co-views it makes (each video's top pairs in its room:
 * `CoViewStore`) and each video's co-view total (`videos.co_view_log`, flushed by its room).
 * Every D1 query on them lives here.
 */

/** Two watches by one viewer this close together make a co-view. */
export const CO_VIEW_WINDOW_MS = 24 * 3600_000;
/** A viewer's window holds at most this many distinct videos: a binge is not 1,000 pairs. */
export const RECENT_WATCHES_PER_VIEWER = 20;
/** A co-view counts half after this long, so the pairs follow what people watch now. */
export const CO_VIEW_HALF_LIFE_MS = 7 * 24 * 3600_000;

/** A co-viewed video and its decayed count, as of the time asked. */
export interface CoViewPair {
  otherId: string;
  score: number;
}

export interface CoView {
  /** The video looked up. */
  videoId: string;
  /** A video watched within 24 hours of it by the same viewers. */
  otherId: string;
  /** The decayed co-view count, as of `now`. */
  score: number;
}

/** Each video's co-views, kept by its room (`VideoRoom`, durable-objects/co-views.ts). */
export interface CoViewStore {
  /** One co-view of `videoId` with each of `others` at `at`; the same `eventId` again adds nothing. */
  add(videoId: string, others: readonly string[], at: number, eventId: string): Promise<void>;
  /** The `limit` most co-viewed with `videoId`, by count as of `now`, best first. */
  top(videoId: string, limit: number, now: number): Promise<CoViewPair[]>;
}

/** A counted view, as the viewer's window keeps it (the watch event's `id` with it). */
export interface WindowWatch {
  id: string;
  viewer: string;
  videoId: string;
  at: number;
}

/** A watch in a viewer's window. */
export interface RecentWatch {
  viewer: string;
  videoId: string;
  at: number;
}

/** The viewers' recent windows, kept by hash-sharded objects (`ViewerWindows`, wiring/windows.ts). */
export interface ViewerWindowStore {
  /**
   * The watch into its viewer's window; answers the videos of the window it makes a co-view
   * with (none when the video was already there; the same again when `id` comes again).
   */
  record(watch: WindowWatch): Promise<string[]>;
  /** A viewer's window as it stands, newest first. */
  window(viewer: string): Promise<RecentWatch[]>;
}

/** Rooms called at once for one watch: its video's and those of the window (at most 20). */
const ROOMS_AT_ONCE = 21;

/**
 * Records that `viewer` watched `videoId` at `at` (the watch event `id`): a co-view with every
 * other video in the viewer's last 24 hours, in both directions (the watched video's room
 * gets the whole window, each video of the window's room this one). The window says which
 * videos pair, and only when the video is new to it; an event delivered again gets the same
 * answer, and the rooms remember its id, so a pair whose call failed is made then and none
 * counts twice.
 */
export async function recordViewerWatch(
  windows: ViewerWindowStore,
  coViews: CoViewStore,
  watch: WindowWatch,
): Promise<void> {
  const window = await windows.record(watch);
  if (!window.length) return;
  const calls = [
    () => coViews.add(watch.videoId, window, watch.at, watch.id),
    ...window.map((other) => () => coViews.add(other, [watch.videoId], watch.at, watch.id)),
  ];
  for (const group of chunks(calls, ROOMS_AT_ONCE)) await Promise.all(group.map((call) => call()));
}

/** The top co-views of each of `videoIds` (one room call each), at most `limit` per video. */
export async function coViewsOf(
  coViews: CoViewStore,
  videoIds: readonly string[],
  now: number,
  limit = 50,
): Promise<CoView[]> {
  const lists = await Promise.all(
    [...new Set(videoIds)].map(async (videoId) =>
      (await coViews.top(videoId, limit, now)).map((p) => ({ videoId, otherId: p.otherId, score: p.score })),
    ),
  );
  return lists.flat();
}

/** SQL: `log` plus the log-count `add` (log2(2^log + 2^add)), `log` null meaning nothing yet. */
export const addLogSql = (log: string, add: string) =>
  `CASE WHEN ${log} IS NULL THEN ${add} ELSE max(${log}, ${add}) + log2(1 + pow(2, -abs(${log} - ${add}))) END`;

/**
 * Each video's decayed co-view total as of `now` (c_i of Davidson et al. 2010): the popularity
 * that recommendations divide co-views by, so that what everyone watches does not top every
 * list. Videos with none yet are left out.
 */
export async function coViewTotals(db: Database, videoIds: readonly string[], now: number) {
  const totals = new Map<string, number>();
  const origin = now / CO_VIEW_HALF_LIFE_MS;
  for (const ids of chunks([...new Set(videoIds)])) {
    const marks = ids.map((_, i) => `?${i + 1}`).join(", ");
    const { results } = await db.$client
      .prepare(`SELECT id, co_view_log FROM videos WHERE id IN (${marks}) AND co_view_log IS NOT NULL`)
      .bind(...ids)
      .all<{ id: string; co_view_log: number }>();
    for (const r of results) totals.set(r.id, 2 ** (r.co_view_log - origin));
  }
  return totals;
}
