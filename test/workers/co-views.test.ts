import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CO_VIEWS_KEPT } from "../../workers/durable-objects/co-views";
import { LIMITS } from "../../workers/durable-objects/video-room-protocol";
import { CO_VIEW_HALF_LIFE_MS, coViewTotals } from "../../workers/storage/signals";
import { databaseOf } from "../../workers/wiring/deps";
import { coViewStore, roomOf } from "../../workers/wiring/rooms";
import { catalogueVideo, registerUser, waitFor } from "./fixtures";

// Issue 23: co-views leave the shared D1 (7.5 GB a day at 10 million views) for each video's
// room, which keeps its best pairs; D1 keeps each video's total, flushed by the room.

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 6, 12);
const H = CO_VIEW_HALF_LIFE_MS;

const hub = (videoId: string) => env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));

describe("co-views in the video's room", () => {
  it("keeps the best pairs, and a new pair gets in over old ones", async () => {
    const room = roomOf(env, `cv-${crypto.randomUUID()}`);
    // 250 pairs, one co-view each, at times that make their counts as of now 1/250 .. 250/250:
    // the 250th trims the table back to the best CO_VIEWS_KEPT.
    for (let i = 1; i <= 250; i++) await room.addCoViews([`v${i}`], NOW - H * Math.log2(250 / i), `event-v${i}`);
    const kept = await room.coViews(1_000, NOW);
    expect(kept).toHaveLength(CO_VIEWS_KEPT);
    expect(kept[0]).toMatchObject({ otherId: "v250" });
    expect(kept[0]!.score).toBeCloseTo(1, 6);
    expect(Math.min(...kept.map((p) => p.score))).toBeCloseTo(51 / 250, 6);
    // A week on, a fresh co-view (1) outranks the pairs that have halved below it since.
    await room.addCoViews(["fresh"], NOW + H, "event-1");
    const later = new Map((await room.coViews(1_000, NOW + H)).map((p) => [p.otherId, p.score]));
    expect(later.get("fresh")).toBeCloseTo(1, 9);
    expect(later.get("v250")).toBeCloseTo(0.5, 6);
    expect([...later.keys()][0]).toBe("fresh");
  });

  it("adds the same whatever order the co-views arrive in, and an event once", async () => {
    const [one, two] = [roomOf(env, `cv-${crypto.randomUUID()}`), roomOf(env, `cv-${crypto.randomUUID()}`)];
    const times = [NOW - 3 * HOUR, NOW - 2 * H, NOW];
    for (const [i, at] of times.entries()) await one.addCoViews(["x"], at, `e${i}`);
    for (const [i, at] of [...times].reverse().entries()) await two.addCoViews(["x"], at, `e${i}`);
    await two.addCoViews(["x"], NOW, "e0");
    const expected = 0.5 ** (3 / (7 * 24)) + 0.25 + 1;
    expect((await one.coViews(1, NOW))[0]!.score).toBeCloseTo(expected, 9);
    expect((await two.coViews(1, NOW))[0]!.score).toBeCloseTo(expected, 9);
  });

  it("flushes the video's co-view total to D1 with its counters, or within the hour", async () => {
    const owner = await registerUser();
    const [a, b, c] = [
      await catalogueVideo(owner, { title: "a" }),
      await catalogueVideo(owner, { title: "b" }),
      await catalogueVideo(owner, { title: "c" }),
    ];
    const at = Date.now();
    await coViewStore(env).add(a, [b, c], at, "watch-1");
    await coViewStore(env).add(a, [b], at, "watch-2");
    await coViewStore(env).add(c, [a], at, "watch-2");
    const total = async (id: string) => (await coViewTotals(databaseOf(env), [id], at)).get(id);
    // Co-views alone wait (up to LIMITS.coViewFlushMs) to ride along with a counters flush.
    expect(await total(a)).toBeUndefined();
    await roomOf(env, a).bump({ views: 1 });
    expect(await waitFor(() => total(a), "a's total in D1")).toBeCloseTo(3, 6);
    // c's room has no counters to flush: its alarm flushes the total on its own.
    const alarm = await runInDurableObject(hub(c), (_, state) => state.storage.getAlarm());
    expect(alarm! - at).toBeGreaterThan(LIMITS.coViewFlushMs - 60_000);
    expect(alarm! - at).toBeLessThanOrEqual(LIMITS.coViewFlushMs + 60_000);
    expect(await runDurableObjectAlarm(hub(c))).toBe(true);
    expect(await total(c)).toBeCloseTo(1, 6);
    // A video nobody co-viewed has no total (recommendations fall back to the pair's count).
    expect(await total(b)).toBeUndefined();
  });
});
