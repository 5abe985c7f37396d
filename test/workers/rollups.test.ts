import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type HourEvent, RoomHours } from "../../workers/durable-objects/room-hours";
import { LIMITS } from "../../workers/durable-objects/video-room-protocol";
import { foldDays, moveRollUps } from "../../workers/services/engagement";
import { rankingFacts } from "../../workers/storage/videos";
import { databaseOf } from "../../workers/wiring/deps";
import { roomOf } from "../../workers/wiring/rooms";
import { catalogueVideo, registerUser, runCron } from "./fixtures";

// Issue 23: a video's hourly roll-ups live in its room (D1's `video_region_hourly` grew 1.2 GB
// a day at 10 million views, and it and the event ids took two statements of every event). The
// room counts each event once, keeps the hours trending reads, and flushes the seconds watched
// they add into the video's all-time sum in D1 (`videos.watch_seconds`; until migration 0018
// into a row per video and day, `video_stats_daily`, 34 MB a day). The cron moves the rows D1
// still holds: recent hours into the rooms, every hour's and day's seconds into the sum.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const hub = (videoId: string) => env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));

const event = (id: string, at: number, views: number, region = "DE"): HourEvent => ({
  id,
  region,
  hour: Math.floor(at / HOUR),
  views,
  watchSeconds: views * 30,
  likes: 1,
  comments: 0,
  shares: 0,
});

/** One hour of a video's activity as D1 kept it before the rooms did. */
async function legacyHour(videoId: string, atMs: number, views: number, region = "DE") {
  await env.DB.prepare(
    `INSERT INTO video_region_hourly (video_id, region, hour, views, watch_seconds, likes, comments, shares, updated_at)
     VALUES (?, ?, ?, ?, ?, 1, 2, 0, ?)`,
  )
    .bind(videoId, region, Math.floor(atMs / HOUR), views, views * 30, atMs)
    .run();
}

const rows = async (sql: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<Record<string, number | string>>()
  ).results;

const days = (id: string) =>
  rows("SELECT day, views, watch_seconds, likes FROM video_stats_daily WHERE video_id = ? ORDER BY day", id);

const watched = async (id: string) =>
  (await rows("SELECT watch_seconds FROM videos WHERE id = ?", id))[0]?.watch_seconds;

/** A day of a video's activity as D1 kept it before migration 0018. */
async function legacyDay(videoId: string, day: number, views: number) {
  await env.DB.prepare(
    "INSERT INTO video_stats_daily (video_id, day, views, watch_seconds, likes, shares) VALUES (?, ?, ?, ?, 0, 0)",
  )
    .bind(videoId, day, views, views * 30)
    .run();
}

describe("hourly roll-ups in the video's room", () => {
  it("counts each event once, keeps the hours per region, and flushes the seconds watched into D1", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "rolled" });
    const now = Date.now();
    const room = roomOf(env, id);
    await room.rollUp([event("e1", now, 1), event("e2", now, 0), event("e3", now, 1, "FR")]);
    // A redelivery of the batch, and one more event.
    await room.rollUp([event("e1", now, 1), event("e2", now, 0), event("e4", now - DAY, 1)]);
    const { hours } = await room.trendingActivity(Math.floor((now - 2 * DAY) / HOUR), 3);
    expect(hours.map((h) => [h.hour, h.region, h.views, h.likes])).toEqual([
      [Math.floor((now - DAY) / HOUR), "DE", 1, 1],
      [Math.floor(now / HOUR), "DE", 1, 2],
      [Math.floor(now / HOUR), "FR", 1, 1],
    ]);
    // Nothing in D1 until the room's flush (within LIMITS.rollUpFlushMs), then both days' at once.
    expect(await watched(id)).toBe(0);
    const alarm = await runInDurableObject(hub(id), (_, state) => state.storage.getAlarm());
    expect(alarm! - now).toBeLessThanOrEqual(LIMITS.rollUpFlushMs + 60_000);
    expect(await runDurableObjectAlarm(hub(id))).toBe(true);
    expect(await watched(id)).toBe(90);
    expect((await rankingFacts(databaseOf(env), [id]))[0]).toMatchObject({ watchSeconds: 90 });
    // No row per day any more; a second flush with nothing new adds nothing.
    expect(await days(id)).toEqual([]);
    await roomOf(env, id).rollUp([event("e1", now, 1)]);
    await runDurableObjectAlarm(hub(id));
    expect(await watched(id)).toBe(90);
    // The flush marks the video active: where trending's cron finds it.
    const [active] = await rows("SELECT active_at FROM videos WHERE id = ?", id);
    expect(Number(active?.active_at)).toBeGreaterThanOrEqual(now);
  });

  it("counts an event once while in memory, flushes what moved on, and drops only flushed hours", async () => {
    const id = `hours-${crypto.randomUUID()}`;
    await runInDurableObject(hub(id), (_, state) => {
      const hours = new RoomHours(state.storage.sql);
      const t = Date.UTC(2026, 11, 6, 12);
      expect(hours.add([event("x", t, 1), event("y", t, 1)])).toBe(true);
      expect(hours.add([event("x", t, 1)])).toBe(false);
      const first = hours.unflushed();
      expect(first).toEqual([
        {
          hour: Math.floor(t / HOUR),
          region: "DE",
          day: Math.floor(t / DAY),
          views: 2,
          watchSeconds: 60,
          likes: 2,
          shares: 0,
        },
      ]);
      // An event that lands while the flush is on its way waits for the next one.
      hours.add([event("z", t, 1)]);
      hours.flushed(first);
      expect(hours.unflushed()).toEqual([expect.objectContaining({ views: 1, watchSeconds: 30, likes: 1 })]);
      // An old hour stays until its sums are flushed, then goes.
      hours.add([event("old", t - 50 * HOUR, 4)]);
      const keepFrom = Math.floor(t / HOUR) - LIMITS.markHours + 1;
      hours.expire(keepFrom);
      expect(hours.oldest()).toBe(Math.floor((t - 50 * HOUR) / HOUR));
      hours.flushed(hours.unflushed());
      hours.expire(keepFrom);
      expect(hours.since(0).map((h) => h.views)).toEqual([3]);
      expect(hours.unflushed()).toEqual([]);
    });
  });

  it("ignores events of a video deleted meanwhile: nothing is written for it", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "gone" });
    await roomOf(env, id).rollUp([event("g1", Date.now(), 1)]);
    await env.DB.prepare("DELETE FROM videos WHERE id = ?").bind(id).run();
    expect(await runDurableObjectAlarm(hub(id))).toBe(true);
    expect(await days(id)).toEqual([]);
  });

  it("moves D1's rows: recent hours into the room, every row's seconds into the all-time sum, once", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "moved" });
    const now = Date.now();
    const day10 = now - 10 * DAY - (now % DAY);
    await legacyHour(id, day10 + 3 * HOUR, 5);
    await legacyHour(id, day10 + 9 * HOUR, 7, "FR");
    await legacyHour(id, now - 2 * HOUR, 13);
    const db = databaseOf(env);
    expect((await rankingFacts(db, [id]))[0]?.watchSeconds).toBe(750);

    const offered: string[] = [];
    const move = () =>
      moveRollUps(
        db,
        async (videoId, hours) => {
          offered.push(videoId);
          await roomOf(env, videoId).importHours(hours);
        },
        now,
      );
    expect(await move()).toBeGreaterThanOrEqual(3);
    expect(await rows("SELECT count(*) AS n FROM video_region_hourly WHERE video_id = ?", id)).toEqual([{ n: 0 }]);
    expect(await days(id)).toEqual([]);
    expect(await watched(id)).toBe(750);
    // The all-time figures are what they were; trending's recent hour is in the room.
    expect((await rankingFacts(db, [id]))[0]?.watchSeconds).toBe(750);
    const recent = await roomOf(env, id).trendingActivity(Math.floor((now - 48 * HOUR) / HOUR), 3);
    expect(recent.hours.map((h) => h.views)).toEqual([13]);
    expect(offered.filter((v) => v === id)).toEqual([id]);
    // A room offered the same hour again (a run whose D1 fold did not land) takes it once.
    await roomOf(env, id).importHours(recent.hours);
    expect((await roomOf(env, id).trendingActivity(0, 3)).hours.map((h) => h.views)).toEqual([13]);
    expect(await move()).toBe(0);
    // The room counts the imported hour as flushed: its next flush adds none of it again.
    await runDurableObjectAlarm(hub(id));
    expect(await watched(id)).toBe(750);
  });

  it("folds D1's days into the videos' all-time seconds, a batch of videos at a time, once", async () => {
    const owner = await registerUser();
    const ids = [
      await catalogueVideo(owner, { title: "days a" }),
      await catalogueVideo(owner, { title: "days b" }),
      await catalogueVideo(owner, { title: "days c" }),
    ].sort();
    const today = Math.floor(Date.now() / DAY);
    for (const [i, id] of ids.entries()) {
      await legacyDay(id, today - 3, i + 1);
      await legacyDay(id, today - 2, 10);
    }
    const db = databaseOf(env);
    const before = await rankingFacts(db, ids);
    expect(before.map((f) => f.watchSeconds).sort()).toEqual([330, 360, 390]);
    // Every video of this test's days, and perhaps other tests' left in this file's D1: at
    // least one round of one video each.
    expect(await foldDays(db, 1)).toBeGreaterThanOrEqual(6);
    for (const id of ids) expect(await days(id)).toEqual([]);
    expect(await Promise.all(ids.map(watched))).toEqual([330, 360, 390]);
    expect((await rankingFacts(db, ids)).map((f) => f.watchSeconds).sort()).toEqual([330, 360, 390]);
    expect(await foldDays(db, 1)).toBe(0);
  });

  it("runs the moves in the cron", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "cron" });
    await legacyHour(id, Date.now() - HOUR, 4);
    await legacyDay(id, Math.floor(Date.now() / DAY) - 5, 2);
    await runCron();
    expect(await rows("SELECT count(*) AS n FROM video_region_hourly WHERE video_id = ?", id)).toEqual([{ n: 0 }]);
    expect((await roomOf(env, id).trendingActivity(0, 3)).hours.map((h) => h.views)).toEqual([4]);
    expect(await days(id)).toEqual([]);
    expect(await watched(id)).toBe(180);
  });
});
