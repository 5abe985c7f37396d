import type { HourEvent } from "../durable-objects/room-hours";
import type { PreviousReport } from "../durable-objects/user-history";
import type { CounterDelta, ViewMark } from "../durable-objects/video-room-protocol";
import type { AuthUser, Database } from "../env";
import { problem } from "../lib/errors";
import { perKey } from "../lib/groups";
import { newId } from "../lib/ids";
import { UNKNOWN_REGION } from "../lib/region";
import type { Producer } from "../schemas/queues";
import type { WatchEventMessage } from "../schemas/videos";
import { type HistoryStore, historyPaused } from "../storage/history";
import { type CoViewStore, recordViewerWatch, type ViewerWindowStore } from "../storage/signals";
import { accessOf, assertVisible } from "./videos";

/** A view counts after 10 s of watching, or half of a video shorter than 20 s (docs/api.md). */
export const VIEW_AFTER_SECONDS = 10;
/**
 * A report that does not say where the previous one was (a first report, at 10 s; players
 * that report every 10 s) stands for at most this much watching.
 */
const REPORT_SECONDS = 10;
/**
 * Between two reports of one viewer, at most this much counts as watched: more progress is a
 * seek forward. The watch page reports every 10 s until the view is counted, then every 30 s
 * (`REPORT_MS` in web/client/watch.ts): 30 s at 1.5x speed.
 */
const MAX_ADVANCE_SECONDS = 45;

export interface EngagementDeps {
  db: Database;
  events: Producer<WatchEventMessage>;
  /** The video's room holds the live counters and flushes them to D1 (its alarm); answers them, exact. */
  bump(videoId: string, delta: CounterDelta): Promise<Required<CounterDelta>>;
  /** The video's room keeps its view marks: true when this viewer's hour is new (a view, counted). */
  markView(videoId: string, mark: ViewMark): Promise<boolean>;
  /** A user's history and resume points (their own object). */
  history(userId: string): HistoryStore;
}

const hourOf = (now: Date) => Math.floor(now.getTime() / 3600_000);

async function watchable(db: Database, videoId: string, viewer: AuthUser | undefined) {
  const access = await accessOf(db, videoId);
  assertVisible(access, viewer);
  if (access.status !== "ready" && access.status !== "processing") {
    throw problem("not_playable", { detail: "The video cannot be played." });
  }
  return access;
}

/**
 * A player's report (spec: Watch Position Tracking): the resume point in history (unless
 * paused), a view once per viewer per hour after enough watching, and a `watch-events`
 * message for the roll-ups. `viewer` is the user, or an anonymous privacy-preserving id.
 */
export async function reportPosition(
  deps: EngagementDeps,
  videoId: string,
  viewer: {
    user?: AuthUser;
    anonymousId?: string;
    region?: string;
    /**
     * An anonymous player's word that the room has its mark for this hour (the hour it was
     * told last time): no call to the room. A false word can only lose the player's own view.
     */
    markedHour?: number;
  },
  report: { position: number; duration: number; from?: number },
  now = new Date(),
): Promise<{ counted: boolean; markedHour: number | null }> {
  await watchable(deps.db, videoId, viewer.user);
  const advance = (from: number) => Math.max(0, Math.min(report.position - from, MAX_ADVANCE_SECONDS));
  let watched = report.from !== undefined ? advance(report.from) : Math.min(report.position, REPORT_SECONDS);
  const threshold = Math.min(VIEW_AFTER_SECONDS, report.duration / 2);
  const eligible = report.position >= threshold;
  const hour = hourOf(now);
  const viewerKey = viewer.user ? `u:${viewer.user.id}` : `a:${viewer.anonymousId}`;
  const region = viewer.region ?? UNKNOWN_REGION;
  // A signed-in viewer's history answers the last report (and keeps this one, unless paused)
  // and which hour's view mark the room has for them: no call to the room twice in an hour.
  const history = viewer.user ? deps.history(viewer.user.id) : undefined;
  let previous: PreviousReport | null = null;
  let writing = false;
  if (viewer.user && history) {
    writing = !(await historyPaused(deps.db, viewer.user.id));
    const { position, duration } = report;
    previous = await history.report(videoId, writing ? { position, duration, watchedAt: now.getTime() } : undefined);
    if (previous) watched = advance(previous.position);
  }
  let counted = false;
  const known = viewer.user ? previous?.markHour : viewer.markedHour;
  if (eligible && known !== hour) {
    counted = await deps.markView(videoId, { viewer: viewerKey, hour, region });
    // Told after the mark: a mark that failed is asked for again at the next report.
    if (writing && history) await history.marked(videoId, hour);
  }
  await deps.events.send({
    id: newId(),
    type: "watch",
    video_id: videoId,
    viewer: viewerKey,
    watched_seconds: Math.round(watched * 10) / 10,
    view: counted,
    likes: 0,
    region,
    at: now.getTime(),
  });
  return { counted, markedHour: eligible ? hour : (known ?? null) };
}

/** One like or dislike per user; 0 takes it back. Answers the exact counts. */
export async function like(
  deps: EngagementDeps,
  videoId: string,
  user: AuthUser,
  value: 1 | -1 | 0,
  region = UNKNOWN_REGION,
  now = new Date(),
) {
  await watchable(deps.db, videoId, user);
  // Kept by the user's object (issue 23: D1's `video_likes` grew 25 MB a day at 10 million
  // views, and each like counted the video's likes there); the counts are the room's.
  const previous = await deps.history(user.id).like(videoId, value, now);
  const likes = Number(value === 1) - Number(previous === 1);
  const dislikes = Number(value === -1) - Number(previous === -1);
  const counts = await deps.bump(videoId, { likes, dislikes });
  if (likes || dislikes) {
    await deps.events.send({
      id: newId(),
      type: "like",
      video_id: videoId,
      viewer: `u:${user.id}`,
      watched_seconds: 0,
      view: false,
      likes,
      region,
      at: now.getTime(),
    });
  }
  return { like_count: counts.likes, dislike_count: counts.dislikes, value };
}

export async function share(
  deps: EngagementDeps,
  videoId: string,
  viewer: AuthUser | undefined,
  viewerKey: string,
  region = UNKNOWN_REGION,
  now = new Date(),
) {
  await watchable(deps.db, videoId, viewer);
  await deps.bump(videoId, { shares: 1 });
  await deps.events.send({
    id: newId(),
    type: "share",
    video_id: videoId,
    viewer: viewerKey,
    watched_seconds: 0,
    view: false,
    likes: 0,
    region,
    at: now.getTime(),
  });
}

/** What the watch-events consumer works with: each video's room, and the viewers' windows. */
export interface RollUpDeps {
  /** Rolls events into their video's hours, in its room (each event once). */
  rollUp: (videoId: string, events: HourEvent[]) => Promise<void>;
  windows: ViewerWindowStore;
  coViews: CoViewStore;
}

/** Rooms the consumer calls at once (one per video of the batch). */
const ROLLUP_ROOMS_AT_ONCE = 16;

/**
 * The share of its video's hour in its region that a watch event is. Not its view: the room
 * counted that into the hour when it marked it (`markView`), with the public counter.
 */
const hourEventOf = (event: WatchEventMessage): HourEvent => ({
  id: event.id,
  region: event.region,
  hour: Math.floor(event.at / 3600_000),
  views: 0,
  watchSeconds: event.watched_seconds,
  likes: event.likes,
  comments: event.type === "comment" ? 1 : 0,
  shares: event.type === "share" ? 1 : 0,
});

/**
 * `watch-events` consumer's work for a batch: each video's events rolled into its hours in
 * its room (one call per video; each event counts once however often it comes), then each
 * counted view into the viewer's recent window and its co-views (kept by each video's room).
 * Answers, per event, the error that stopped it (to be delivered again) or undefined.
 */
export async function rollUpEvents(deps: RollUpDeps, events: readonly WatchEventMessage[]): Promise<unknown[]> {
  const failed = new Array<unknown>(events.length).fill(undefined);
  await perKey(
    events,
    (e) => e.video_id,
    ROLLUP_ROOMS_AT_ONCE,
    async (videoId, group) => {
      try {
        await deps.rollUp(
          videoId,
          group.map(({ item }) => hourEventOf(item)),
        );
      } catch (err) {
        for (const { index } of group) failed[index] = err;
      }
    },
  );
  // In order: two views of one viewer in a batch pair with each other through the window.
  for (const [i, event] of events.entries()) {
    if (failed[i] !== undefined || event.type !== "watch" || !event.view) continue;
    try {
      await recordViewerWatch(deps.windows, deps.coViews, {
        id: event.id,
        viewer: event.viewer,
        videoId: event.video_id,
        at: event.at,
      });
    } catch (err) {
      failed[i] = err;
    }
  }
  return failed;
}

/** One event's work (rollUpEvents of one), throwing what stopped it. */
export async function rollUpEvent(deps: RollUpDeps, event: WatchEventMessage): Promise<void> {
  const [err] = await rollUpEvents(deps, [event]);
  if (err !== undefined) throw err;
}
