import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { WINDOW_PRUNE_EVERY_MS } from "../../workers/durable-objects/viewer-windows";
import { moveRecentWatches } from "../../workers/services/engagement";
import { databaseOf } from "../../workers/wiring/deps";
import { viewerWindows, windowShard } from "../../workers/wiring/windows";
import { catalogueVideo, registerUser, runCron } from "./fixtures";

// The viewing signal co-views come from: each viewer's last 24 hours of watches, kept by 64
// hash-sharded objects (issue 23: in the shared D1 they were 2 statements a view). Each shard
// drops what left the window at its alarm; the cron moves what D1 still holds into them.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 11, 6, 12);

/** A watch as D1 kept it before the shards did. */
async function watchedInD1(viewer: string, videoId: string, at: number) {
  await env.DB.prepare(
    "INSERT INTO viewer_recent_watches (viewer, video_id, region, watched_at) VALUES (?, ?, 'DE', ?)",
  )
    .bind(viewer, videoId, at)
    .run();
}

const d1Rows = async (like: string) =>
  (
    await env.DB.prepare("SELECT count(*) AS n FROM viewer_recent_watches WHERE viewer LIKE ?")
      .bind(like)
      .first<{ n: number }>()
  )?.n;

const windowOf = async (viewer: string) => (await viewerWindows(env).window(viewer)).map((w) => [w.videoId, w.at]);

const shardOf = (viewer: string) => env.VIEWER_WINDOWS.get(env.VIEWER_WINDOWS.idFromName(windowShard(viewer)));

describe("viewer windows", () => {
  it("spreads viewers over the shards by a stable hash", () => {
    const names = new Set(Array.from({ length: 2000 }, (_, i) => windowShard(`a:${i}`)));
    expect(names.size).toBe(64);
    expect(windowShard("u:someone")).toBe(windowShard("u:someone"));
  });

  it("moves D1's windows into the shards, a batch at a time, dropping what left the window", async () => {
    const owner = await registerUser();
    const a = await catalogueVideo(owner, { title: "a" });
    const b = await catalogueVideo(owner, { title: "b" });
    // 12 viewers' watches of a day and more ago, 2 within the day.
    for (let i = 0; i < 12; i++) await watchedInD1(`old-${i}`, a, NOW - DAY - (i + 1) * HOUR);
    await watchedInD1("fresh-1", a, NOW - 2 * HOUR);
    await watchedInD1("fresh-2", b, NOW - 23 * HOUR);

    // Batches of 5: three rounds (5, 5, 4), the last one short; every row leaves D1.
    const imported: string[] = [];
    const into = (watches: { viewer: string }[]) => {
      imported.push(...watches.map((w) => w.viewer));
      return viewerWindows(env).import(watches as never);
    };
    expect(await moveRecentWatches(databaseOf(env), into, NOW, 5)).toBe(14);
    expect(await d1Rows("old-%")).toBe(0);
    expect(await d1Rows("fresh-%")).toBe(0);
    expect(imported.sort()).toEqual(["fresh-1", "fresh-2"]);
    expect(await windowOf("fresh-1")).toEqual([[a, NOW - 2 * HOUR]]);
    expect(await windowOf("fresh-2")).toEqual([[b, NOW - 23 * HOUR]]);
    expect(await windowOf("old-0")).toEqual([]);
    // Run again: nothing left; and a moved watch pairs with the viewer's next one.
    expect(await moveRecentWatches(databaseOf(env), into, NOW, 5)).toBe(0);
    expect(await viewerWindows(env).record({ id: "e-next", viewer: "fresh-1", videoId: b, at: NOW })).toEqual([a]);
  });

  it("runs in the cron", async () => {
    const owner = await registerUser();
    const a = await catalogueVideo(owner, { title: "cron a" });
    await watchedInD1("cron-old", a, NOW - DAY - HOUR);
    await watchedInD1("cron-fresh", a, NOW - HOUR);
    await runCron(NOW);
    expect(await d1Rows("cron-%")).toBe(0);
    expect(await windowOf("cron-fresh")).toEqual([[a, NOW - HOUR]]);
    expect(await windowOf("cron-old")).toEqual([]);
  });

  it("drops watches that left the window at its alarm, and sets one while it keeps any", async () => {
    const viewer = "a:alarmed";
    const shard = shardOf(viewer);
    const now = Date.now();
    expect(await viewerWindows(env).record({ id: "e-1", viewer, videoId: "v-fresh", at: now - HOUR })).toEqual([]);
    const alarm = await runInDurableObject(shard, (_, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(now);
    expect(alarm).toBeLessThanOrEqual(Date.now() + WINDOW_PRUNE_EVERY_MS);
    // A late event of a day and more ago still pairs with what its own day holds.
    expect(await viewerWindows(env).record({ id: "e-2", viewer, videoId: "v-stale", at: now - 30 * HOUR })).toEqual([]);
    expect((await windowOf(viewer)).map(([id]) => id)).toEqual(["v-fresh", "v-stale"]);
    expect(await runDurableObjectAlarm(shard)).toBe(true);
    expect((await windowOf(viewer)).map(([id]) => id)).toEqual(["v-fresh"]);
    // Still something to keep: the next look is set.
    expect(await runInDurableObject(shard, (_, state) => state.storage.getAlarm())).not.toBeNull();
  });
});
