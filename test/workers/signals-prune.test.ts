import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pruneViewingSignals } from "../../workers/services/engagement";
import { databaseOf } from "../../workers/wiring/deps";
import { catalogueVideo, registerUser, runCron } from "./fixtures";

// The viewing signal co-views come from: each viewer's last 24 hours of watches. The cron
// prunes what left the window a batch at a time until nothing more has (issue 23: with one
// batch of 5,000 a run the 24 h window grew by everything the cron could not delete, for
// good). Co-view pairs are each video's room's, trimmed there (co-views.test.ts).

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 11, 6, 12);

async function watched(viewer: string, videoId: string, at: number) {
  await env.DB.prepare(
    "INSERT INTO viewer_recent_watches (viewer, video_id, region, watched_at) VALUES (?, ?, 'DE', ?)",
  )
    .bind(viewer, videoId, at)
    .run();
}

const count = async (sql: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .first<{ n: number }>()
  )?.n;

describe("viewing signals pruning", () => {
  it("prunes every watch out of the 24 h window, a batch at a time", async () => {
    const owner = await registerUser();
    const a = await catalogueVideo(owner, { title: "a" });
    const b = await catalogueVideo(owner, { title: "b" });
    // 12 viewers' watches of a day and more ago, 2 within the day.
    for (let i = 0; i < 12; i++) await watched(`old-${i}`, a, NOW - DAY - (i + 1) * HOUR);
    await watched("fresh-1", a, NOW - 2 * HOUR);
    await watched("fresh-2", b, NOW - 23 * HOUR);

    // Batches of 5: three rounds (5, 5, 2), the last one short.
    expect(await pruneViewingSignals(databaseOf(env), NOW, 5)).toBe(12);
    expect(await count("SELECT count(*) AS n FROM viewer_recent_watches WHERE viewer LIKE 'old-%'")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM viewer_recent_watches WHERE viewer LIKE 'fresh-%'")).toBe(2);
    expect(await pruneViewingSignals(databaseOf(env), NOW, 5)).toBe(0);
  });

  it("runs in the cron", async () => {
    const owner = await registerUser();
    const a = await catalogueVideo(owner, { title: "cron a" });
    await watched("cron-old", a, NOW - DAY - HOUR);
    await watched("cron-fresh", a, NOW - HOUR);
    await runCron(NOW);
    expect(await count("SELECT count(*) AS n FROM viewer_recent_watches WHERE viewer LIKE 'cron-%'")).toBe(1);
    expect(await count("SELECT count(*) AS n FROM viewer_recent_watches WHERE viewer = 'cron-fresh'")).toBe(1);
  });
});
