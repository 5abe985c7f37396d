import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { WINDOW_PRUNE_EVERY_MS } from "../../workers/durable-objects/viewer-windows";
import { viewerWindows, windowShard } from "../../workers/wiring/windows";

// The viewing signal co-views come from: each viewer's last 24 hours of watches, kept by 64
// hash-sharded objects (issue 23: in the shared D1 they were 2 statements a view). Each shard
// drops what left the window at its alarm.

const HOUR = 3_600_000;

const windowOf = async (viewer: string) => (await viewerWindows(env).window(viewer)).map((w) => [w.videoId, w.at]);

const shardOf = (viewer: string) => env.VIEWER_WINDOWS.get(env.VIEWER_WINDOWS.idFromName(windowShard(viewer)));

describe("viewer windows", () => {
  it("spreads viewers over the shards by a stable hash", () => {
    const names = new Set(Array.from({ length: 2000 }, (_, i) => windowShard(`a:${i}`)));
    expect(names.size).toBe(64);
    expect(windowShard("u:someone")).toBe(windowShard("u:someone"));
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
