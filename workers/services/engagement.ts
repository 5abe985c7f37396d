import type { CounterDelta } from "../durable-objects/video-room-protocol";
import type { AuthUser, Database } from "../env";
import { problem } from "../lib/errors";
import { newId } from "../lib/ids";
import { UNKNOWN_REGION } from "../lib/region";
import type { Producer } from "../schemas/queues";
import type { WatchEventMessage } from "../schemas/videos";
import * as store from "../storage/engagement";
import { historyContext } from "../storage/history";
import { pruneSignals, recordViewerWatch } from "../storage/signals";
import { accessOf, assertVisible } from "./videos";

/** A view counts after 10 s of watching, or half of a video shorter than 20 s (docs/api.md). */
export const VIEW_AFTER_SECONDS = 10;
/** Players report every 10 s: one report stands for at most this much watching. */
const REPORT_SECONDS = 10;
/** Between two reports of one viewer, more progress than this is a seek, not watching. */
const MAX_ADVANCE_SECONDS = 15;

export interface EngagementDeps {
  db: Database;
  events: Producer<WatchEventMessage>;
  /** The video's room holds the live counters and flushes them to D1 (its alarm). */
  bump(videoId: string, delta: CounterDelta): Promise<void>;
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
  viewer: { user?: AuthUser; anonymousId?: string; region?: string },
  report: { position: number; duration: number },
  now = new Date(),
) {
  await watchable(deps.db, videoId, viewer.user);
  let watched = Math.min(report.position, REPORT_SECONDS);
  let writeHistory = false;
  if (viewer.user) {
    const context = await historyContext(deps.db, viewer.user.id, videoId);
    writeHistory = !context.paused;
    if (context.previous) {
      watched = Math.max(0, Math.min(report.position - context.previous.position, MAX_ADVANCE_SECONDS));
    }
  }
  const viewerKey = viewer.user ? `u:${viewer.user.id}` : `a:${viewer.anonymousId}`;
  const threshold = Math.min(VIEW_AFTER_SECONDS, report.duration / 2);
  const eligible = report.position >= threshold;
  const counted = await store.recordWatch(
    deps.db,
    { userId: viewer.user?.id, videoId, position: report.position, duration: report.duration, now, writeHistory },
    eligible ? { viewer: viewerKey, hour: hourOf(now), region: viewer.region ?? UNKNOWN_REGION } : undefined,
  );
  if (counted) await deps.bump(videoId, { views: 1 });
  await deps.events.send({
    id: newId(),
    type: "watch",
    video_id: videoId,
    viewer: viewerKey,
    watched_seconds: Math.round(watched * 10) / 10,
    view: counted,
    likes: 0,
    region: viewer.region ?? UNKNOWN_REGION,
    at: now.getTime(),
  });
  return { counted };
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
  const previous = await store.findLike(deps.db, user.id, videoId);
  const counts = await store.setLike(deps.db, user.id, videoId, value);
  const likes = Number(value === 1) - Number(previous === 1);
  const dislikes = Number(value === -1) - Number(previous === -1);
  if (likes || dislikes) {
    await deps.bump(videoId, { likes, dislikes });
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

/**
 * `watch-events` consumer's work: roll the event into its video's hour (global and regional),
 * exactly once; a counted view also enters the viewer's recent window and its co-views.
 */
export async function rollUpEvent(db: Database, event: WatchEventMessage, now = Date.now()) {
  await store.rollUp(db, {
    id: event.id,
    videoId: event.video_id,
    region: event.region,
    hour: Math.floor(event.at / 3600_000),
    views: event.view ? 1 : 0,
    watchSeconds: event.watched_seconds,
    likes: event.likes,
    comments: event.type === "comment" ? 1 : 0,
    shares: event.type === "share" ? 1 : 0,
    rolledAt: now,
  });
  if (event.type === "watch" && event.view) {
    await recordViewerWatch(db, { viewer: event.viewer, videoId: event.video_id, region: event.region, at: event.at });
  }
}

/**
 * A cron job's bounded share of work: `step` (one batch per table it works on, answering how
 * many rows each took) runs again until every table's batch came back short of `batch` or
 * `rounds` steps are done; the rest waits for the next run. Returns the rows taken in all.
 */
async function inRounds(rounds: number, batch: number, step: () => Promise<number[]>): Promise<number> {
  let total = 0;
  for (let round = 0; round < rounds; round++) {
    const counts = await step();
    total += counts.reduce((a, b) => a + b, 0);
    if (counts.every((n) => n < batch)) break;
  }
  return total;
}

/**
 * Rows of each signal table pruned per statement, and statements per cron run: 150,000 a run.
 * 10 million views a day add about 13 million rows to the viewers' 24 h windows, 45,000 in 5
 * minutes on average and 72,000 at the evening peak (`npm run sim:growth`). One statement of
 * 5,000 a run, as before, deleted 1.44 million a day: the window grew by the rest, for good.
 */
const SIGNALS_BATCH = 5_000;
const SIGNALS_ROUNDS = 30;

/**
 * Cron: the viewing signals that recommendations read (each viewer's 24 h window, co-view
 * pairs) lose what fell out of their windows; pairs not seen for ten half-lives go. A batch
 * at a time, until neither table has more to lose or the run's share is done. Returns the
 * rows pruned.
 */
export const pruneViewingSignals = (db: Database, now: number, batch = SIGNALS_BATCH) =>
  inRounds(SIGNALS_ROUNDS, batch, async () => {
    const { watches, pairs } = await pruneSignals(db, now, batch);
    return [watches, pairs];
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

/** Hourly rows folded per statement, and statements per cron run (bounds one run's work). */
const FOLD_BATCH = 2_000;
const FOLD_ROUNDS = 10;

/**
 * Cron: the hourly roll-ups older than a week become daily rows (store.HOURLY_KEEP_MS), a batch at
 * a time until none is left or the run's share is done (the rest waits for the next run).
 * Returns the hourly rows folded.
 */
export const foldOldRollUps = (db: Database, now: number) =>
  inRounds(FOLD_ROUNDS, FOLD_BATCH, async () => {
    return [await store.foldRollUps(db, now - store.HOURLY_KEEP_MS, FOLD_BATCH)];
  });
