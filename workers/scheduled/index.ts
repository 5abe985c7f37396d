import { errorField, log } from "../lib/log";
import {
  foldDays,
  forgetOldEventIds,
  moveCoViews,
  moveHistory,
  moveLikes,
  moveRecentWatches,
  moveRollUps,
  moveViewMarks,
} from "../services/engagement";
import { forgetRoomMembers, liftExpiredSuspensions } from "../services/moderation";
import { refreshVocabulary } from "../services/search";
import { refreshTrending } from "../services/trending";
import { expireUploads, pruneUploadParts } from "../services/uploads";
import { sweepDeliveries } from "../services/webhook-delivery";
import { databaseOf, deliveryDeps, moderationDeps, trendingDeps, videoDeps } from "../wiring/deps";
import { userHistoryOf } from "../wiring/history";
import { roomOf } from "../wiring/rooms";
import { viewerWindows } from "../wiring/windows";

/**
 * Cron (every 5 minutes): trending recomputed for videos with new activity and written to
 * KV; uploads past their expiry aborted, and completed uploads' parts forgotten after 7 days;
 * the search vocabulary (typo correction) brought up to date; view marks, hourly roll-ups,
 * co-views, viewers' windows and watch history left in D1 moved into their videos' rooms (the
 * hours' and days' seconds watched into the videos' all-time sums), the windows' shards and
 * users' objects; ids of watch events rolled up by D1 over an hour ago forgotten; suspensions
 * whose time has come lifted; webhook attempts whose message was lost queued again, and old
 * events forgotten.
 * Each job runs even if another fails, and a failure is logged rather than lost.
 */
export async function runScheduled(env: Env, now = Date.now()): Promise<void> {
  const db = databaseOf(env);
  const jobs: [string, () => Promise<void>][] = [
    [
      "trending",
      async () => {
        const done = await refreshTrending(trendingDeps(env, db), now);
        if (done.videos) log("info", "trending refreshed", done);
      },
    ],
    [
      "expired uploads",
      async () => {
        // A batch at a time keeps one run well inside the cron's CPU budget; the rest wait 5 min.
        const aborted = await expireUploads(videoDeps(env, db));
        if (aborted) log("info", "expired uploads aborted", { count: aborted });
      },
    ],
    [
      "upload parts",
      async () => {
        const forgotten = await pruneUploadParts(db, now);
        if (forgotten) log("info", "completed uploads' parts forgotten", { count: forgotten });
      },
    ],
    [
      "search vocabulary",
      async () => {
        const words = await refreshVocabulary(db);
        if (words) log("info", "search vocabulary grew", { count: words });
      },
    ],
    [
      "viewer windows",
      async () => {
        const moved = await moveRecentWatches(db, (watches) => viewerWindows(env).import(watches), now);
        if (moved) log("info", "viewer windows moved from D1 to their shards", { count: moved });
      },
    ],
    [
      "roll-ups",
      async () => {
        const moved = await moveRollUps(db, (videoId, rows) => roomOf(env, videoId).importHours(rows), now);
        if (moved) log("info", "hourly roll-ups moved from D1 to the rooms and days", { count: moved });
      },
    ],
    [
      "daily roll-ups",
      async () => {
        const folded = await foldDays(db);
        if (folded) log("info", "daily roll-ups folded into the videos' all-time figures", { count: folded });
      },
    ],
    [
      "view marks",
      async () => {
        const moved = await moveViewMarks(db, (videoId, marks) => roomOf(env, videoId).importMarks(marks), now);
        if (moved) log("info", "view marks moved from D1 to the rooms", { count: moved });
      },
    ],
    [
      "co-views",
      async () => {
        const moved = await moveCoViews(db, (videoId, pairs) => roomOf(env, videoId).importCoViews(pairs), now);
        if (moved) log("info", "co-views moved from D1 to the rooms", { videos: moved });
      },
    ],
    [
      "watch history",
      async () => {
        const moved = await moveHistory(db, (userId) => userHistoryOf(env, userId).pullFromD1());
        if (moved) log("info", "watch history moved from D1 to the users' objects", { count: moved });
      },
    ],
    [
      "likes",
      async () => {
        const moved = await moveLikes(db, (userId) => userHistoryOf(env, userId).pullLikesFromD1());
        if (moved) log("info", "likes moved from D1 to the users' objects", { count: moved });
      },
    ],
    [
      "event ids",
      async () => {
        const forgotten = await forgetOldEventIds(db, now);
        if (forgotten) log("info", "rolled-up event ids forgotten", { count: forgotten });
      },
    ],
    [
      "suspensions",
      async () => {
        const later: Promise<unknown>[] = [];
        const lifted = await liftExpiredSuspensions(
          moderationDeps(env, db, (p) => later.push(p)),
          new Date(now),
        );
        await forgetRoomMembers(db, now);
        await Promise.allSettled(later);
        if (lifted) log("info", "suspensions ended", { count: lifted });
      },
    ],
    [
      "webhook deliveries",
      async () => {
        const requeued = await sweepDeliveries(deliveryDeps(env, db));
        if (requeued) log("warn", "overdue webhook attempts queued again", { count: requeued });
      },
    ],
  ];
  const results = await Promise.allSettled(jobs.map(([, run]) => run()));
  results.forEach((r, i) => {
    if (r.status === "rejected") {
      const [name] = jobs[i] ?? ["?"];
      log("error", `cron job failed: ${name}`, { error: errorField(r.reason) });
    }
  });
}
