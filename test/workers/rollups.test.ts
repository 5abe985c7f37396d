import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { foldRollUps, HOURLY_KEEP_MS } from "../../workers/storage/engagement";
import { rankingFacts } from "../../workers/storage/videos";
import { databaseOf } from "../../workers/wiring/deps";
import { catalogueVideo, registerUser, runCron } from "./fixtures";

// The hourly roll-ups are kept for a week, then folded into one row per video (and region)
// and day by the cron (issue 23): the all-time figures stay what they were, nothing counts
// twice however often the fold runs or however it is cut into batches, and recent hours stay.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 20, 12);

/** One hour of a video's activity in a region, as the consumer rolls it up (`at` in ms; rows count hours). */
async function hour(videoId: string, atMs: number, views: number, region = "DE") {
  const at = Math.floor(atMs / HOUR);
  await env.DB.prepare(
    `INSERT INTO video_region_hourly (video_id, region, hour, views, watch_seconds, likes, comments, shares, updated_at)
     VALUES (?, ?, ?, ?, ?, 1, 2, 0, ?)
     ON CONFLICT (video_id, region, hour) DO UPDATE SET views = views + excluded.views,
       watch_seconds = watch_seconds + excluded.watch_seconds, likes = likes + 1, comments = comments + 2`,
  )
    .bind(videoId, region, at, views, views * 30, atMs)
    .run();
}

const rows = async (sql: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<Record<string, number | string>>()
  ).results;

describe("roll-up folding", () => {
  it("folds hours older than a week into days, keeps the rest, and the all-time figures stay", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "folded" });
    const day10 = NOW - 10 * DAY - (NOW % DAY);
    await hour(id, day10 + 3 * HOUR, 5);
    await hour(id, day10 + 9 * HOUR, 7, "FR");
    await hour(id, day10 + DAY + 2 * HOUR, 11);
    await hour(id, NOW - 2 * DAY, 13);
    const db = databaseOf(env);
    const before = (await rankingFacts(db, [id]))[0];
    expect(before?.views).toBe(36);

    await runCron(NOW);
    expect(
      await rows("SELECT day, views, watch_seconds, likes FROM video_stats_daily WHERE video_id = ? ORDER BY day", id),
    ).toEqual([
      { day: day10 / DAY, views: 12, watch_seconds: 360, likes: 2 },
      { day: day10 / DAY + 1, views: 11, watch_seconds: 330, likes: 1 },
    ]);
    // Days are no longer kept per region (no reader; 193 MB a day at 10 million views).
    expect(await rows("SELECT count(*) AS n FROM video_region_daily WHERE video_id = ?", id)).toEqual([{ n: 0 }]);
    // The last week's hours are where they were, for trending's 48 hours and the rest.
    expect(await rows("SELECT hour, views FROM video_region_hourly WHERE video_id = ?", id)).toEqual([
      { hour: (NOW - 2 * DAY) / HOUR, views: 13 },
    ]);
    const after = (await rankingFacts(db, [id]))[0];
    expect(after?.views).toBe(36);
    expect(after?.watchSeconds).toBe(before?.watchSeconds);

    // Run again: nothing older is left, nothing is added twice.
    await runCron(NOW + 5 * 60_000);
    expect((await rankingFacts(db, [id]))[0]?.views).toBe(36);
    const days = await rows("SELECT sum(views) AS n FROM video_stats_daily WHERE video_id = ?", id);
    expect(days[0]?.n).toBe(23);
  });

  it("adds a late fold of the same day to its row, and a fold cut into batches adds up to the whole", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "in batches" });
    const day9 = NOW - 9 * DAY - (NOW % DAY);
    for (let h = 0; h < 5; h++) await hour(id, day9 + h * HOUR, h + 1);
    const db = databaseOf(env);
    // One row at a time, from the oldest: every step moves at most one hour.
    for (let step = 1; step <= 5; step++) {
      expect(await foldRollUps(db, NOW - HOURLY_KEEP_MS, 1)).toBeLessThanOrEqual(1);
    }
    // Other tests' old hours may be folded first; this video's are all gone once enough steps ran.
    while ((await foldRollUps(db, NOW - HOURLY_KEEP_MS, 50)) > 0) {}
    expect(await rows("SELECT count(*) AS n FROM video_region_hourly WHERE video_id = ?", id)).toEqual([{ n: 0 }]);
    expect(await rows("SELECT views, likes FROM video_stats_daily WHERE video_id = ?", id)).toEqual([
      { views: 15, likes: 5 },
    ]);
    // An event that reached the roll-up late, for an hour of that day: folded into the same row.
    await hour(id, day9 + 20 * HOUR, 100);
    await foldRollUps(db, NOW - HOURLY_KEEP_MS, 50);
    expect(await rows("SELECT views, likes FROM video_stats_daily WHERE video_id = ?", id)).toEqual([
      { views: 115, likes: 6 },
    ]);
  });

  it("a deleted video takes its days with it", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "gone" });
    await hour(id, NOW - 9 * DAY, 3);
    await foldRollUps(databaseOf(env), NOW - HOURLY_KEEP_MS, 1000);
    expect(await rows("SELECT count(*) AS n FROM video_stats_daily WHERE video_id = ?", id)).toEqual([{ n: 1 }]);
    await env.DB.prepare("DELETE FROM videos WHERE id = ?").bind(id).run();
    expect(await rows("SELECT count(*) AS n FROM video_stats_daily WHERE video_id = ?", id)).toEqual([{ n: 0 }]);
  });
});
