import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { HourEvent } from "../../workers/durable-objects/room-hours";
import { newId } from "../../workers/lib/ids";
import { rollUpEvent } from "../../workers/services/engagement";
import {
  CO_VIEW_HALF_LIFE_MS,
  coViewsOf,
  coViewTotals,
  RECENT_WATCHES_PER_VIEWER,
} from "../../workers/storage/signals";
import { databaseOf } from "../../workers/wiring/deps";
import { coViewStore, roomOf } from "../../workers/wiring/rooms";
import { viewerWindows } from "../../workers/wiring/windows";
import { freshIp, readyVideo, registerUser, roomMarks, type TestUser, waitFor } from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A player's report from a country, as Cloudflare would pass it in `request.cf`. */
const watchFrom = (user: TestUser, videoId: string, country: string) =>
  exports.default.fetch(
    new Request(`http://cloudtube.test/api/v1/videos/${videoId}/watch-position`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: `Bearer ${user.token}`,
        "CF-Connecting-IP": freshIp(),
      },
      body: JSON.stringify({ position: 15, duration: 120 }),
      cf: { country },
    }),
  );

/** A counted view as the queue would deliver it, at a time the test picks. */
const view = (viewer: string, videoId: string, at: number, region = "FR") => ({
  id: newId(),
  type: "watch" as const,
  video_id: videoId,
  viewer,
  watched_seconds: 10,
  view: true,
  likes: 0,
  region,
  at,
});

/** The count of `b` among `a`'s co-views as of `at`, from `a`'s room. */
const score = async (a: string, b: string, at = Date.now()) =>
  (await roomOf(env, a).coViews(200, at)).find((p) => p.otherId === b)?.score;

const hub = (videoId: string) => env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));

/** What the watch-events consumer works with. */
const deps = () => ({
  rollUp: (videoId: string, events: HourEvent[]) => roomOf(env, videoId).rollUp(events),
  windows: viewerWindows(env),
  coViews: coViewStore(env),
});

/** Bare video rows: co-views only need the ids to exist. */
async function bareVideos(owner: TestUser, n: number) {
  const ids = Array.from({ length: n }, () => newId());
  for (const id of ids) {
    await env.DB.prepare("INSERT INTO videos (id, channel_id, owner_id, title) VALUES (?, ?, ?, 'x')")
      .bind(id, owner.channel_id, owner.id)
      .run();
  }
  return ids;
}

describe("viewing signals", () => {
  it("rolls watches up per region and counts co-views of one viewer's videos, both ways", async () => {
    const owner = await registerUser();
    const a = await readyVideo(owner);
    const b = await readyVideo(owner);
    const viewers = [await registerUser(), await registerUser()];
    for (const v of viewers) {
      expect((await watchFrom(v, a.videoId, "DE")).status).toBe(204);
      expect((await watchFrom(v, b.videoId, "DE")).status).toBe(204);
    }
    // Two viewers, each one co-view; the first has decayed for the few milliseconds between them.
    await waitFor(async () => ((await score(a.videoId, b.videoId)) ?? 0) > 1.999, "the co-views");
    expect(await score(b.videoId, a.videoId)).toBeCloseTo(2, 3);
    // Each room flushes its video's co-view total (what recommendations divide by) to D1 at
    // its alarm: with the counters, or within the hour.
    for (const id of [a.videoId, b.videoId]) await runDurableObjectAlarm(hub(id));
    const totals = await coViewTotals(databaseOf(env), [a.videoId, b.videoId], Date.now());
    // (Read a few seconds after the views: decayed by a few millionths.)
    expect(totals.get(a.videoId)).toBeCloseTo(2, 3);
    expect(totals.get(b.videoId)).toBeCloseTo(2, 3);

    // The hours the room keeps for trending: both views in DE.
    const { hours } = await roomOf(env, a.videoId).trendingActivity(0, 3);
    expect(hours.map((h) => [h.region, h.views])).toEqual([["DE", 2]]);
    expect(new Set((await roomMarks(a.videoId)).map((m) => m.region))).toEqual(new Set(["DE"]));
  });

  it("counts comments, likes and shares towards their region's hour", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const fan = await registerUser();
    const from = (path: string, json?: unknown) =>
      exports.default.fetch(
        new Request(`http://cloudtube.test/api/v1/videos/${videoId}/${path}`, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            Authorization: `Bearer ${fan.token}`,
            "CF-Connecting-IP": freshIp(),
          },
          body: json === undefined ? undefined : JSON.stringify(json),
          cf: { country: "BR" },
        }),
      );
    expect((await from("comments", { content: "Lovely" })).status).toBe(201);
    // The room counts a comment itself, as it stores it: the hour has it when the POST answers.
    const { hours: atOnce } = await roomOf(env, videoId).trendingActivity(0, 3);
    expect(atOnce).toEqual([expect.objectContaining({ region: "BR", comments: 1, likes: 0, shares: 0 })]);
    expect((await from("like", { value: 1 })).status).toBe(200);
    expect((await from("share")).status).toBe(204);
    const rolled = await waitFor(async () => {
      const { hours } = await roomOf(env, videoId).trendingActivity(0, 3);
      const row = hours[0];
      return row && row.comments + row.likes + row.shares === 3 ? hours : undefined;
    }, "the regional roll-up");
    expect(rolled).toEqual([expect.objectContaining({ region: "BR", comments: 1, likes: 1, shares: 1 })]);
  });

  it("counts a held comment only once its owner approves it, in the approval's region", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const fan = await registerUser();
    const call = (as: TestUser, path: string, json: unknown, country: string, method = "POST") =>
      exports.default.fetch(
        new Request(`http://cloudtube.test/api/v1/${path}`, {
          method,
          headers: {
            "Content-Type": "application/json",
            Authorization: `Bearer ${as.token}`,
            "CF-Connecting-IP": freshIp(),
          },
          body: JSON.stringify(json),
          cf: { country },
        }),
      );
    const rules = { held_words: ["spoiler"], hold_links: false };
    expect((await call(owner, `channels/${owner.channel_id}/moderation`, rules, "JP", "PUT")).status).toBe(200);
    const posted = await call(fan, `videos/${videoId}/comments`, { content: "a spoiler, sorry" }, "BR");
    expect(posted.status).toBe(201);
    const held = (await posted.json()) as { id: string; status: string };
    expect(held.status).toBe("held");
    expect((await roomOf(env, videoId).trendingActivity(0, 3)).hours).toEqual([]);

    expect((await call(owner, `comments/${held.id}/approve`, {}, "JP")).status).toBe(200);
    const { hours } = await roomOf(env, videoId).trendingActivity(0, 3);
    expect(hours).toEqual([expect.objectContaining({ region: "JP", comments: 1 })]);
  });

  it("counts a pair once per window however often the event comes, and never across 24 hours", async () => {
    const owner = await registerUser();
    const [x, y, z] = await bareVideos(owner, 3);
    const t = Date.UTC(2026, 10, 20, 8);
    const first = view("a:viewer-1", x!, t);
    const second = view("a:viewer-1", y!, t + HOUR);
    for (const event of [first, second, second, first]) await rollUpEvent(deps(), event);
    expect(await score(x!, y!, t + HOUR)).toBeCloseTo(1, 9);
    expect(await score(y!, x!, t + HOUR)).toBeCloseTo(1, 9);
    // Delivered again before its window row was written (a crash in between): the rooms
    // remember the event's id, so the pair still counts once.
    await coViewStore(env).add(x!, [y!], t + HOUR, second.id);
    expect(await score(x!, y!, t + HOUR)).toBeCloseTo(1, 9);
    // 25 hours after the first watch: y is still in the window (24 h before), x is not.
    await rollUpEvent(deps(), view("a:viewer-1", z!, t + 25 * HOUR));
    expect(await score(y!, z!, t + 25 * HOUR)).toBeCloseTo(1, 9);
    expect(await score(x!, z!)).toBeUndefined();
    // Activity from an unknown place counts as any other.
    await rollUpEvent(deps(), view("a:viewer-2", x!, t, "ZZ"));
    await rollUpEvent(deps(), view("a:viewer-2", y!, t + HOUR, "ZZ"));
    expect(await score(x!, y!, t + HOUR)).toBeCloseTo(2, 9);
  });

  it("decays co-views by their half-life and keeps each viewer's window bounded", async () => {
    const owner = await registerUser();
    const [p, q] = await bareVideos(owner, 2);
    const t = Date.UTC(2026, 10, 1, 8);
    await rollUpEvent(deps(), view("u:one", p!, t));
    await rollUpEvent(deps(), view("u:one", q!, t + HOUR));
    const [later] = await coViewsOf(coViewStore(env), [p!], t + HOUR + CO_VIEW_HALF_LIFE_MS);
    expect(later).toMatchObject({ videoId: p, otherId: q });
    expect(later!.score).toBeCloseTo(0.5, 5);
    // A second viewer a half-life later: the old count has halved, the new one adds 1.
    await rollUpEvent(deps(), view("u:two", p!, t + HOUR + CO_VIEW_HALF_LIFE_MS));
    await rollUpEvent(deps(), view("u:two", q!, t + HOUR + CO_VIEW_HALF_LIFE_MS));
    expect(await score(p!, q!, t + HOUR + CO_VIEW_HALF_LIFE_MS)).toBeCloseTo(1.5, 5);

    const binge = await bareVideos(owner, RECENT_WATCHES_PER_VIEWER + 5);
    for (const [i, id] of binge.entries()) await rollUpEvent(deps(), view("u:binge", id, t + i * 60_000));
    const kept = await viewerWindows(env).window("u:binge");
    expect(kept).toHaveLength(RECENT_WATCHES_PER_VIEWER);
    expect(kept[0]?.videoId).toBe(binge[binge.length - 1]);
    // The last video pairs with the window only (the 20 before it), not the whole binge.
    const pairs = await roomOf(env, binge[binge.length - 1]!).coViews(200, t + DAY);
    expect(pairs).toHaveLength(RECENT_WATCHES_PER_VIEWER);
  });

  it("makes a watch's pairs when its event comes again after the rooms' calls failed, and once", async () => {
    const owner = await registerUser();
    const [x, y] = await bareVideos(owner, 2);
    const t = Date.UTC(2026, 10, 22, 8);
    const second = view("a:retried", y!, t + HOUR);
    await rollUpEvent(deps(), view("a:retried", x!, t));
    // The window takes the watch, then the first room call fails (a room restarting).
    let down = true;
    const rooms = coViewStore(env);
    const flaky = {
      ...deps(),
      coViews: {
        add: async (...args: Parameters<typeof rooms.add>) => {
          if (down) throw new Error("room unavailable");
          await rooms.add(...args);
        },
        top: rooms.top,
      },
    };
    await expect(rollUpEvent(flaky, second)).rejects.toThrow("room unavailable");
    expect(await score(x!, y!, t + HOUR)).toBeUndefined();
    // Delivered again, twice: the window answers the same videos, the rooms count the id once.
    down = false;
    await rollUpEvent(flaky, second);
    await rollUpEvent(flaky, second);
    expect(await score(x!, y!, t + HOUR)).toBeCloseTo(1, 9);
    expect(await score(y!, x!, t + HOUR)).toBeCloseTo(1, 9);
    // Another event for a video already in the window makes no pair.
    await rollUpEvent(deps(), view("a:retried", x!, t + 2 * HOUR));
    expect(await score(x!, y!, t + HOUR)).toBeCloseTo(1, 9);
  });
});
