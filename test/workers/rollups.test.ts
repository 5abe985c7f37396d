import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type HourEvent, RoomHours } from "../../workers/durable-objects/room-hours";
import { LIMITS } from "../../workers/durable-objects/video-room-protocol";
import { rankingFacts } from "../../workers/storage/videos";
import { databaseOf } from "../../workers/wiring/deps";
import { roomOf } from "../../workers/wiring/rooms";
import { catalogueVideo, registerUser } from "./fixtures";

// Issue 23: a video's hourly roll-ups live in its room (D1's `video_region_hourly` grew 1.2 GB
// a day at 10 million views, and it and the event ids took two statements of every event). The
// room counts each event once, keeps the hours trending reads, and flushes the seconds watched
// they add into the video's all-time sum in D1 (`videos.watch_seconds`; until migration 0018
// into a row per video and day, `video_stats_daily`, 34 MB a day).

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

const rows = async (sql: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<Record<string, number | string>>()
  ).results;

const watched = async (id: string) =>
  (await rows("SELECT watch_seconds FROM videos WHERE id = ?", id))[0]?.watch_seconds;

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
    // A second flush with nothing new adds nothing.
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
    expect(await rows("SELECT id FROM videos WHERE id = ?", id)).toEqual([]);
  });
});
