import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { forgetOldEventIds } from "../../workers/services/engagement";
import { forgetProcessedEvents, PROCESSED_KEEP_MS, rollUp } from "../../workers/storage/engagement";
import { databaseOf } from "../../workers/wiring/deps";
import { catalogueVideo, registerUser, runCron } from "./fixtures";

// The ids of rolled-up watch events (processed_events) are kept only while a redelivery can
// come (issue 23: kept forever they were half of D1's growth): the cron forgets those older
// than an hour, oldest first, a batch at a time; a redelivery inside the hour still adds
// nothing twice.

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 6, 12);

/** A watch event of one view on `videoId`, rolled up as the consumer does (a delivery of it). */
const deliver = (videoId: string, id: string) =>
  rollUp(databaseOf(env), {
    id,
    videoId,
    region: "DE",
    hour: Math.floor(NOW / 3_600_000),
    views: 1,
    watchSeconds: 10,
    likes: 0,
    comments: 0,
    shares: 0,
    rolledAt: NOW,
  });

/** An event delivered once, its id recorded `agoMs` before NOW. */
async function rolledUp(videoId: string, id: string, agoMs: number) {
  await deliver(videoId, id);
  await env.DB.prepare("UPDATE processed_events SET created_at = ? WHERE id = ?")
    .bind(NOW - agoMs, id)
    .run();
}

const views = async (videoId: string) =>
  (
    await env.DB.prepare("SELECT sum(views) AS views FROM video_region_hourly WHERE video_id = ?")
      .bind(videoId)
      .first<{ views: number }>()
  )?.views;
const kept = async (ids: string[]) =>
  (
    await env.DB.prepare(`SELECT id FROM processed_events WHERE id IN (${ids.map(() => "?").join(", ")}) ORDER BY id`)
      .bind(...ids)
      .all<{ id: string }>()
  ).results.map((r) => r.id);

describe("rolled-up event ids", () => {
  it("are forgotten by the cron after an hour, and a redelivery within the hour still counts once", async () => {
    const owner = await registerUser();
    const video = await catalogueVideo(owner, { title: "ids" });
    await rolledUp(video, "ev-old", PROCESSED_KEEP_MS + MINUTE);
    await rolledUp(video, "ev-recent", PROCESSED_KEEP_MS - 10 * MINUTE);
    expect(await views(video)).toBe(2);

    await runCron(NOW);
    expect(await kept(["ev-old", "ev-recent"])).toEqual(["ev-recent"]);

    // The recent event delivered again: its id is still there, so nothing is added.
    await deliver(video, "ev-recent");
    expect(await views(video)).toBe(2);
  });

  it("goes a batch at a time, oldest first, until none older than the hour is left", async () => {
    const owner = await registerUser();
    const video = await catalogueVideo(owner, { title: "batches" });
    const old = Array.from({ length: 25 }, (_, i) => `batch-old-${String(i).padStart(2, "0")}`);
    for (const [i, id] of old.entries()) await rolledUp(video, id, PROCESSED_KEEP_MS + (i + 1) * MINUTE);
    await rolledUp(video, "batch-new", MINUTE);

    // Batches of 10: three statements (10, 10, 5), the last one short, so the loop stops there.
    expect(await forgetOldEventIds(databaseOf(env), NOW, 10)).toBe(25);
    expect(await kept([...old, "batch-new"])).toEqual(["batch-new"]);
    expect(await forgetOldEventIds(databaseOf(env), NOW, 10)).toBe(0);
  });

  it("forgets the oldest first when a run's batch cannot take them all", async () => {
    const owner = await registerUser();
    const video = await catalogueVideo(owner, { title: "oldest" });
    await rolledUp(video, "o-older", PROCESSED_KEEP_MS + 30 * MINUTE);
    await rolledUp(video, "o-old", PROCESSED_KEEP_MS + 5 * MINUTE);
    expect(await forgetProcessedEvents(databaseOf(env), NOW - PROCESSED_KEEP_MS, 1)).toBe(1);
    expect(await kept(["o-older", "o-old"])).toEqual(["o-old"]);
  });
});
