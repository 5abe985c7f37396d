import { CO_VIEWS_KEPT } from "../durable-objects/co-views";
import type { HourEvent, HourRow } from "../durable-objects/room-hours";
import type { PreviousReport } from "../durable-objects/user-history";
import { type CounterDelta, LIMITS, type ViewMark } from "../durable-objects/video-room-protocol";
import type { AuthUser, Database } from "../env";
import { problem } from "../lib/errors";
import { perKey } from "../lib/groups";
import { newId } from "../lib/ids";
import { UNKNOWN_REGION } from "../lib/region";
import { inRounds } from "../lib/rounds";
import type { Producer } from "../schemas/queues";
import type { WatchEventMessage } from "../schemas/videos";
import * as store from "../storage/engagement";
import { type HistoryStore, historyPaused, usersWithD1History, usersWithD1Likes } from "../storage/history";
import {
  CO_VIEW_WINDOW_MS,
  type CoViewPair,
  type CoViewStore,
  forgetLegacyCoViews,
  forgetLegacyRecentWatches,
  legacyCoViews,
  legacyCoViewVideos,
  legacyRecentWatches,
  type RecentWatch,
  recordViewerWatch,
  type ViewerWindowStore,
} from "../storage/signals";
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

/**
 * D1 window rows moved per statement, and statements per cron run: each statement's rows go
 * to at most 64 objects (one call per shard), so a run makes at most 640 calls. What D1 held
 * is at most a day of views (about 13 million rows at 10 million views a day): 20 runs' worth
 * at most. Rows already out of the window are deleted without a call.
 */
const WINDOWS_BATCH = 5_000;
const WINDOWS_ROUNDS = 10;

/**
 * Cron: the backfill of the viewers' windows from the shared D1 (`viewer_recent_watches`,
 * where they were kept until the hash-sharded objects took them over): a batch at a time in
 * rowid order, the rows still within 24 hours of `now` into their shards, then the batch
 * deleted. Safe to run again (a shard keeps the later time of a watch). Returns the D1 rows
 * it took.
 */
export const moveRecentWatches = (
  db: Database,
  importWatches: (watches: RecentWatch[]) => Promise<number>,
  now: number,
  batch = WINDOWS_BATCH,
) =>
  inRounds(WINDOWS_ROUNDS, batch, async () => {
    const { watches, lastRowid } = await legacyRecentWatches(db, batch);
    if (lastRowid === null) return [0];
    const fresh = watches.filter((w) => w.at >= now - CO_VIEW_WINDOW_MS);
    if (fresh.length) await importWatches(fresh);
    await forgetLegacyRecentWatches(db, lastRowid);
    return [watches.length];
  });

/**
 * Event ids forgotten per statement (short enough not to hold the database, which runs one
 * statement at a time, for long), and statements per cron run: 3 million a run. 10 million
 * views a day record 1.15 million ids in 5 minutes on average (33 events a view), and about
 * 1.8 million at the evening peak (`npm run sim:growth`'s day: 1.6x the mean); a smaller
 * share fell behind at the peak and left ids over at the day's end.
 */
const FORGET_BATCH = 10_000;
const FORGET_ROUNDS = 300;

/**
 * Cron: the ids of watch events rolled up more than `store.PROCESSED_KEEP_MS` ago are
 * forgotten, oldest first, a batch at a time until none is left or the run's share is done.
 * Returns how many went.
 */
export const forgetOldEventIds = (db: Database, now: number, batch = FORGET_BATCH) =>
  inRounds(FORGET_ROUNDS, batch, async () => [
    await store.forgetProcessedEvents(db, now - store.PROCESSED_KEEP_MS, batch),
  ]);

/** D1 hourly rows moved per statement, and statements per cron run (at most 2,000 room calls). */
const HOURS_BATCH = 1_000;
const HOURS_ROUNDS = 2;

/**
 * Cron: the backfill of hourly roll-ups from the shared D1 (`video_region_hourly`, where they
 * were kept until each video's room took them over), a batch at a time in key order: the hours
 * still inside LIMITS.markHours go to their video's room (for trending; not counted again),
 * then in one D1 batch every row of the batch is folded into its video's day and deleted.
 * Safe to run again: a failed room call leaves D1 as it was, and a room takes each (hour,
 * region) once however often it is offered. Returns the D1 rows it took.
 */
export const moveRollUps = (
  db: Database,
  importHours: (videoId: string, rows: HourRow[]) => Promise<void>,
  now: number,
  batch = HOURS_BATCH,
) =>
  inRounds(HOURS_ROUNDS, batch, async () =>
    moveIntoRooms(
      await store.legacyHours(db, batch),
      now,
      (r) => r.videoId,
      ({ videoId: _, ...hour }) => hour,
      importHours,
      (last) => store.foldLegacyHours(db, last),
    ),
  );

/**
 * Videos whose D1 days fold per statement, and statements per cron run: 20,000 videos a run.
 * A video has at most a row per day since its room started flushing days (2026-12-06).
 */
const DAYS_VIDEOS = 1_000;
const DAYS_ROUNDS = 20;

/**
 * Cron: the backfill of D1's daily roll-ups (`video_stats_daily`, written by the rooms' flushes
 * until migration 0018) into each video's all-time seconds watched, a batch of videos at a
 * time, each batch's days deleted in the same D1 batch. Returns the rows folded.
 */
export const foldDays = (db: Database, videos = DAYS_VIDEOS) =>
  inRounds(DAYS_ROUNDS, 1, async () => {
    const last = await store.legacyDaysUpTo(db, videos);
    return [last === null ? 0 : await store.foldLegacyDays(db, last)];
  });

/** Rooms a backfill calls at once. */
const MOVE_ROOMS_AT_ONCE = 16;

/**
 * One round of a backfill from D1 into the rooms: the batch's rows (in key order) whose hour
 * is still inside LIMITS.markHours go to their video's room (`shape`d, one call a video), then
 * `forget` takes the whole batch out of D1 (up to its last key). Answers the rows it held.
 */
async function moveIntoRooms<R extends { hour: number }, T>(
  rows: R[],
  now: number,
  videoOf: (row: R) => string,
  shape: (row: R) => T,
  toRoom: (videoId: string, items: T[]) => Promise<unknown>,
  forget: (last: R) => Promise<unknown>,
): Promise<number[]> {
  const last = rows.at(-1);
  if (!last) return [0];
  const keepFrom = Math.floor(now / 3600_000) - LIMITS.markHours + 1;
  await perKey(
    rows.filter((r) => r.hour >= keepFrom),
    videoOf,
    MOVE_ROOMS_AT_ONCE,
    async (videoId, group) => {
      await toRoom(
        videoId,
        group.map(({ item }) => shape(item)),
      );
    },
  );
  await forget(last);
  return [rows.length];
}

/**
 * D1 view marks moved per statement, and statements per cron run: at
 * most 4,000 room calls a run, which with trending's 2,000, the history's 300, the co-views'
 * 1,000 and the hours' 2,000 keeps the cron's one invocation within Workers Paid's 10,000
 * subrequests.
 */
const MARKS_BATCH = 1_000;
const MARKS_ROUNDS = 4;

/**
 * Cron: the backfill of view marks from the shared D1 (where they were kept until each video's
 * room took them over) into the rooms. The marks still inside LIMITS.markHours go to their
 * video's room as they are (not counted again); older ones are only deleted. Safe to run again
 * (a room keeps a mark once), and once D1's table is empty each run is one empty read.
 * Returns the D1 rows it took.
 */
export const moveViewMarks = (
  db: Database,
  importMarks: (videoId: string, marks: ViewMark[]) => Promise<number>,
  now: number,
  batch = MARKS_BATCH,
) =>
  inRounds(MARKS_ROUNDS, batch, async () =>
    moveIntoRooms(
      await store.legacyMarks(db, batch),
      now,
      (r) => r.video_id,
      (r) => ({ viewer: r.viewer, hour: r.hour, region: r.region }),
      importMarks,
      (last) => store.forgetLegacyMarks(db, last),
    ),
  );

/**
 * Videos whose D1 co-view pairs move per statement, rooms called at once, and statements per
 * cron run: at most 1,000 room calls a run (the subrequest budget above). A video's room
 * takes its CO_VIEWS_KEPT best pairs; its total counts them all.
 */
const CO_VIEWS_VIDEOS = 250;
const CO_VIEWS_ROOMS_AT_ONCE = 16;
const CO_VIEWS_ROUNDS = 4;

/**
 * Cron: the backfill of co-views from the shared D1 (`co_views`, where they were kept until
 * each video's room took them over) into the rooms, a batch of videos at a time: each video's
 * best global pairs go to its room, then in one D1 batch all its global pairs are added to its
 * co-view total and every pair of it (regional ones too: nothing reads them) is deleted. Safe
 * to run again (a room keeps the larger of a pair's counts; the total is added in the batch
 * that deletes what it adds). Returns the D1 rows it took.
 */
export const moveCoViews = (
  db: Database,
  importCoViews: (videoId: string, pairs: CoViewPair[]) => Promise<number>,
  now: number,
  videos = CO_VIEWS_VIDEOS,
) =>
  inRounds(CO_VIEWS_ROUNDS, videos, async () => {
    const ids = await legacyCoViewVideos(db, videos);
    if (!ids.length) return [0];
    await perKey(
      await legacyCoViews(db, ids, CO_VIEWS_KEPT, now),
      (p) => p.videoId,
      CO_VIEWS_ROOMS_AT_ONCE,
      async (videoId, group) => {
        await importCoViews(
          videoId,
          group.map(({ item }) => ({ otherId: item.otherId, score: item.score, at: item.at })),
        );
      },
    );
    await forgetLegacyCoViews(db, ids);
    return [ids.length];
  });

/** Users whose D1 history rows the cron moves per run (one call each), and users' objects called at once. */
const HISTORY_USERS_PER_RUN = 300;
const HISTORY_USERS_AT_ONCE = 16;

/**
 * Cron: the backfill of watch history from the shared D1 into each user's object, for users
 * who have not come back since (a user's first call pulls their own rows). Safe to run again:
 * the newer entry of a video wins, and a user's rows leave D1 once their object holds them.
 * Returns the rows moved.
 */
export const moveHistory = (db: Database, pull: (userId: string) => Promise<number>, users = HISTORY_USERS_PER_RUN) =>
  pullUsers(usersWithD1History(db, users), pull);

/**
 * Cron: the backfill of likes from the shared D1 (`video_likes`) into each user's object, for
 * users who have not liked anything since (a user's first like pulls their own). Safe to run
 * again: a like made in the object since wins, and a user's rows leave D1 once taken. Returns
 * the likes moved.
 */
export const moveLikes = (db: Database, pull: (userId: string) => Promise<number>, users = HISTORY_USERS_PER_RUN) =>
  pullUsers(usersWithD1Likes(db, users), pull);

/** One pull per user of `userIds`, a few users' objects at once; answers the rows they took. */
async function pullUsers(userIds: Promise<string[]>, pull: (userId: string) => Promise<number>): Promise<number> {
  let moved = 0;
  await perKey(
    await userIds,
    (id) => id,
    HISTORY_USERS_AT_ONCE,
    async (userId) => {
      moved += await pull(userId);
    },
  );
  return moved;
}
