import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CO_VIEWS_KEPT } from "../../workers/durable-objects/co-views";
import { LIMITS } from "../../workers/durable-objects/video-room-protocol";
import { moveCoViews } from "../../workers/services/engagement";
import { CO_VIEW_HALF_LIFE_MS, coViewTotals } from "../../workers/storage/signals";
import { databaseOf } from "../../workers/wiring/deps";
import { coViewStore, roomOf } from "../../workers/wiring/rooms";
import { catalogueVideo, registerUser, runCron, waitFor } from "./fixtures";

// Issue 23: co-views leave the shared D1 (7.5 GB a day at 10 million views) for each video's
// room, which keeps its best pairs; D1 keeps each video's total, flushed by the room.

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 6, 12);
const H = CO_VIEW_HALF_LIFE_MS;

const hub = (videoId: string) => env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));

const pairsOf = async (videoId: string, at = NOW) =>
  new Map((await roomOf(env, videoId).coViews(1_000, at)).map((p) => [p.otherId, p.score]));

async function legacyPair(a: string, b: string, region: string, score: number, at: number) {
  await env.DB.prepare("INSERT INTO co_views (video_a, video_b, region, score, updated_at) VALUES (?, ?, ?, ?, ?)")
    .bind(a, b, region, score, at)
    .run();
}

const legacyRows = async () => (await env.DB.prepare("SELECT count(*) AS n FROM co_views").first<{ n: number }>())?.n;

describe("co-views in the video's room", () => {
  it("keeps the best pairs, and a new pair gets in over old ones", async () => {
    const room = roomOf(env, `cv-${crypto.randomUUID()}`);
    // 260 pairs with counts 1..260 as of now: the room keeps the best CO_VIEWS_KEPT.
    await room.importCoViews(Array.from({ length: 260 }, (_, i) => ({ otherId: `v${i + 1}`, score: i + 1, at: NOW })));
    const kept = await room.coViews(1_000, NOW);
    expect(kept).toHaveLength(CO_VIEWS_KEPT);
    expect(kept[0]).toMatchObject({ otherId: "v260" });
    expect(kept[0]!.score).toBeCloseTo(260, 6);
    expect(Math.min(...kept.map((p) => p.score))).toBeCloseTo(61, 6);
    // A week on, a fresh co-view (1) outranks the pairs that have halved below it since.
    await room.addCoViews(["fresh"], NOW + H, "event-1");
    const later = new Map((await room.coViews(1_000, NOW + H)).map((p) => [p.otherId, p.score]));
    expect(later.get("fresh")).toBeCloseTo(1, 9);
    expect(later.get("v260")).toBeCloseTo(130, 6);
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

  it("moves D1's pairs into the rooms and their totals into D1, and can run again", async () => {
    const owner = await registerUser();
    const [a, b, c] = [
      await catalogueVideo(owner, { title: "legacy a" }),
      await catalogueVideo(owner, { title: "legacy b" }),
      await catalogueVideo(owner, { title: "legacy c" }),
    ];
    await legacyPair(a, b, "global", 4, NOW - H);
    await legacyPair(a, c, "global", 2, NOW);
    await legacyPair(a, b, "DE", 4, NOW - H);
    await legacyPair(b, a, "global", 4, NOW - H);
    const imports: string[] = [];
    const move = () =>
      moveCoViews(
        databaseOf(env),
        (videoId, pairs) => {
          imports.push(videoId);
          return roomOf(env, videoId).importCoViews(pairs);
        },
        NOW,
        1,
      );
    // One video a round: a, then b, then an empty round.
    expect(await move()).toBe(2);
    expect(await legacyRows()).toBe(0);
    const ofA = await pairsOf(a);
    expect(ofA.get(b)).toBeCloseTo(2, 6);
    expect(ofA.get(c)).toBeCloseTo(2, 6);
    expect((await pairsOf(b)).get(a)).toBeCloseTo(2, 6);
    const totals = await coViewTotals(databaseOf(env), [a, b], NOW);
    expect(totals.get(a)).toBeCloseTo(4, 6);
    expect(totals.get(b)).toBeCloseTo(2, 6);
    // Again: nothing left to move, nothing counted twice.
    expect(await move()).toBe(0);
    expect((await coViewTotals(databaseOf(env), [a], NOW)).get(a)).toBeCloseTo(4, 6);
    // A room that takes the same pairs twice (a run that failed before D1's batch) keeps them once.
    await roomOf(env, a).importCoViews([{ otherId: b, score: 4, at: NOW - H }]);
    expect((await pairsOf(a)).get(b)).toBeCloseTo(2, 6);
    expect(imports.filter((id) => id === a || id === b).sort()).toEqual([a, b].sort());
  });

  it("runs the backfill in the cron", async () => {
    const owner = await registerUser();
    const [a, b] = [await catalogueVideo(owner, { title: "cron a" }), await catalogueVideo(owner, { title: "cron b" })];
    await legacyPair(a, b, "global", 3, NOW);
    await runCron(NOW);
    expect(await legacyRows()).toBe(0);
    expect((await pairsOf(a)).get(b)).toBeCloseTo(3, 6);
  });
});
