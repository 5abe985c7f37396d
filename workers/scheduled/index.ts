import { errorField, log } from "../lib/log";
import { tendCaptionCues } from "../services/captions";
import { liftExpiredSuspensions } from "../services/moderation";
import { refreshVocabulary } from "../services/search";
import { refreshTrending } from "../services/trending";
import { expireUploads, pruneUploadParts } from "../services/uploads";
import { sweepDeliveries } from "../services/webhook-delivery";
import { databaseOf, deliveryDeps, moderationDeps, trendingDeps, videoDeps } from "../wiring/deps";

/**
 * Cron (every 5 minutes): trending recomputed for videos with new activity and written to
 * KV; uploads past their expiry aborted, and completed uploads' parts forgotten after 7 days;
 * the search vocabulary (typo correction) brought up to date; suspensions whose time has
 * come lifted; caption cue versions that no track names dropped from the captions database;
 * webhook attempts whose message was lost queued again, and old events forgotten.
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
      "suspensions",
      async () => {
        const later: Promise<unknown>[] = [];
        const lifted = await liftExpiredSuspensions(
          moderationDeps(env, db, (p) => later.push(p)),
          new Date(now),
        );
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
    [
      "caption cues",
      async () => {
        const { swept } = await tendCaptionCues({ db, cueDb: env.CAPTIONS }, now);
        if (swept) log("info", "unnamed caption cue versions dropped", { count: swept });
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
