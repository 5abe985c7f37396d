import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { roomOf } from "../../workers/wiring/rooms";
import { api, freshIp, readyVideo, registerUser, roomMarks, type TestUser, waitFor } from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const report = (
  user: TestUser | undefined,
  videoId: string,
  position: number,
  duration = 120,
  extra: { from?: number; ip?: string } = {},
) =>
  user
    ? api(`/api/v1/videos/${videoId}/watch-position`, {
        method: "POST",
        as: user,
        json: { position, duration, from: extra.from },
      })
    : api(`/api/v1/videos/${videoId}/heartbeat`, {
        method: "POST",
        as: { ip: extra.ip ?? "203.0.113.7" },
        headers: { "User-Agent": "TestPlayer/1" },
        json: { position, duration, from: extra.from },
      });

/** The room flushes its counters to D1 from its alarm; run it now rather than wait. */
async function flushRoom(videoId: string) {
  const stub = env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));
  await runDurableObjectAlarm(stub);
}

/** A video's hours over all regions, as its room keeps them. */
async function stats(videoId: string) {
  const { hours } = await roomOf(env, videoId).trendingActivity(0, 3);
  const sum = (key: "views" | "watchSeconds" | "likes" | "shares") => hours.reduce((n, h) => n + h[key], 0);
  return { views: sum("views"), watch_seconds: sum("watchSeconds"), likes: sum("likes"), shares: sum("shares") };
}

/** What the room flushed into the video's row in D1 (the all-time figures). */
const allTime = (videoId: string) =>
  env.DB.prepare("SELECT view_count AS views, watch_seconds FROM videos WHERE id = ?")
    .bind(videoId)
    .first<{ views: number; watch_seconds: number }>();

describe("watch position and views", () => {
  it("keeps the resume point, counts one view per viewer per hour after 10 s, and rolls events up once", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const viewer = await registerUser();

    expect((await report(viewer, videoId, 4)).status).toBe(204);
    expect((await report(viewer, videoId, 14)).status).toBe(204);
    expect((await report(viewer, videoId, 24)).status).toBe(204);
    // Another viewer, and an anonymous one twice.
    expect((await report(owner, videoId, 11)).status).toBe(204);
    expect((await report(undefined, videoId, 12)).status).toBe(204);
    expect((await report(undefined, videoId, 22)).status).toBe(204);

    // The marks live in the video's room, not in D1.
    expect(await roomMarks(videoId)).toHaveLength(3);
    await flushRoom(videoId);
    const page = (await (await api(`/api/v1/videos/${videoId}`, { as: viewer })).json()) as {
      view_count: number;
      resume_position: number;
    };
    expect(page.view_count).toBe(3);
    expect(page.resume_position).toBe(24);

    const rolled = await waitFor(async () => {
      const s = await stats(videoId);
      // The views are counted into the hour when marked; the watch time when the events come.
      return s.views === 3 && Math.abs(s.watch_seconds - 54) < 0.05 ? s : undefined;
    }, "the roll-up");
    // 4 + 10 + 10 by the signed-in viewer; a first report stands for at most 10 s: 10 by
    // the owner, 10 + 10 anonymously (an anonymous viewer has no previous position).
    expect(rolled.watch_seconds).toBeCloseTo(54, 1);
    // The room's next flush adds them to the video's all-time figures in D1.
    await flushRoom(videoId);
    const total = await allTime(videoId);
    expect(total?.views).toBe(3);
    expect(total?.watch_seconds).toBeCloseTo(54, 1);
  });

  it("counts the watching of reports 30 s apart from where the last one was, at most 45 s a report", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const viewer = await registerUser();
    // The watch page's cadence (web/client/watch.ts): at 10 s, then every 30 s once the view
    // counts. Signed in, the history has the last position; anonymously, the player says it.
    for (const [position, from] of [
      [10, undefined],
      [40, 10],
      [70, 40],
      // 50 s ahead in one report: a seek forward as well, so it counts as at most 45 s (30 s
      // at 1.5x speed).
      [120, 70],
    ] as const) {
      expect((await report(viewer, videoId, position, 600)).status).toBe(204);
      expect((await report(undefined, videoId, position, 600, { from })).status).toBe(204);
    }
    // A pause 5 s after the last report stands for those 5 s, not for a whole interval.
    expect((await report(viewer, videoId, 125, 600)).status).toBe(204);
    expect((await report(undefined, videoId, 125, 600, { from: 120 })).status).toBe(204);
    // A player that does not say where it was (a first report, or an older page that reports
    // every 10 s) stands for at most 10 s, whatever its position.
    expect((await report(undefined, videoId, 300, 600, { ip: "203.0.113.8" })).status).toBe(204);

    // Each viewer: 10 + 30 + 30 + 45 + 5 = 120 s; the third, 10 s.
    const rolled = await waitFor(async () => {
      const s = await stats(videoId);
      return Math.abs(s.watch_seconds - 250) < 0.05 ? s : undefined;
    }, "the roll-up");
    expect(rolled).toMatchObject({ views: 3 });
  });

  it("writes no history while paused, still counts the view, and clears one or all entries", async () => {
    const owner = await registerUser();
    const a = await readyVideo(owner);
    const b = await readyVideo(owner);
    const viewer = await registerUser();
    const paused = await api("/api/v1/users/me/watch-history/paused", {
      method: "PUT",
      as: viewer,
      json: { paused: true },
    });
    expect(paused.status).toBe(200);
    expect(
      ((await (await api("/api/v1/users/me", { as: viewer })).json()) as { history_paused: boolean }).history_paused,
    ).toBe(true);
    await report(viewer, a.videoId, 30);
    type List = { items: { video: { id: string } }[] };
    let list = (await (await api("/api/v1/users/me/watch-history", { as: viewer })).json()) as List;
    expect(list.items).toHaveLength(0);
    expect(await roomMarks(a.videoId)).toHaveLength(1);

    await api("/api/v1/users/me/watch-history/paused", { method: "PUT", as: viewer, json: { paused: false } });
    await report(viewer, a.videoId, 40);
    await report(viewer, b.videoId, 50);
    list = (await (await api("/api/v1/users/me/watch-history", { as: viewer })).json()) as List;
    expect(list.items.map((i) => i.video.id)).toEqual([b.videoId, a.videoId]);

    expect(
      (await api(`/api/v1/users/me/watch-history?video_id=${b.videoId}`, { method: "DELETE", as: viewer })).status,
    ).toBe(204);
    list = (await (await api("/api/v1/users/me/watch-history", { as: viewer })).json()) as List;
    expect(list.items.map((i) => i.video.id)).toEqual([a.videoId]);
    expect((await api("/api/v1/users/me/watch-history", { method: "DELETE", as: viewer })).status).toBe(204);
    list = (await (await api("/api/v1/users/me/watch-history", { as: viewer })).json()) as List;
    expect(list.items).toHaveLength(0);
  });

  it("pages history newest first with a cursor", async () => {
    const owner = await registerUser();
    const viewer = await registerUser();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { videoId } = await readyVideo(owner);
      ids.unshift(videoId);
      await report(viewer, videoId, 15 + i, 60);
    }
    const first = (await (await api("/api/v1/users/me/watch-history?limit=2", { as: viewer })).json()) as {
      items: {
        video: { id: string; title: string };
        position: number;
        percent: number;
        duration: number;
        watched_at: string;
      }[];
      next_cursor: string;
    };
    expect(first.items.map((i) => i.video.id)).toEqual(ids.slice(0, 2));
    expect(first.items[0]).toMatchObject({ position: 17, duration: 60, percent: 28.3 });
    expect(first.next_cursor).toBeTruthy();
    const second = (await (
      await api(`/api/v1/users/me/watch-history?limit=2&cursor=${first.next_cursor}`, { as: viewer })
    ).json()) as {
      items: { video: { id: string } }[];
      next_cursor: string | null;
    };
    expect(second.items.map((i) => i.video.id)).toEqual(ids.slice(2));
    expect(second.next_cursor).toBeNull();
  });
});

describe("likes and shares", () => {
  it("keeps one like per user, switches, takes back, and answers exact counts", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const [a, b] = [await registerUser(), await registerUser()];
    const like = (u: TestUser, value: number) =>
      api(`/api/v1/videos/${videoId}/like`, { method: "POST", as: u, json: { value } });
    expect(await (await like(a, 1)).json()).toEqual({ like_count: 1, dislike_count: 0, value: 1 });
    expect(await (await like(a, 1)).json()).toEqual({ like_count: 1, dislike_count: 0, value: 1 });
    expect(await (await like(b, -1)).json()).toEqual({ like_count: 1, dislike_count: 1, value: -1 });
    expect(await (await like(a, -1)).json()).toEqual({ like_count: 0, dislike_count: 2, value: -1 });
    expect(await (await like(b, 0)).json()).toEqual({ like_count: 0, dislike_count: 1, value: 0 });
    expect((await api(`/api/v1/videos/${videoId}/share`, { method: "POST", as: { ip: freshIp() } })).status).toBe(204);
    await flushRoom(videoId);
    const page = (await (await api(`/api/v1/videos/${videoId}`)).json()) as Record<string, number>;
    expect(page).toMatchObject({ like_count: 0, dislike_count: 1, share_count: 1 });
  });
});

describe("engagement: bad input", () => {
  it("checks bodies, auth and visibility", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const viewer = await registerUser();
    for (const body of [
      { position: -1, duration: 10 },
      { position: 5, duration: 0 },
      { position: 50, duration: 10 },
      { position: "x", duration: 10 },
      { position: 5, duration: 10, from: -1 },
      { position: 5, duration: 10, from: "3" },
      {},
    ]) {
      const res = await api(`/api/v1/videos/${videoId}/watch-position`, { method: "POST", as: viewer, json: body });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "validation_failed" });
    }
    for (const value of [2, "1", null]) {
      const res = await api(`/api/v1/videos/${videoId}/like`, { method: "POST", as: viewer, json: { value } });
      expect(res.status).toBe(400);
    }
    expect(
      (await api(`/api/v1/videos/${videoId}/watch-position`, { method: "POST", json: { position: 1, duration: 2 } }))
        .status,
    ).toBe(401);
    expect((await api(`/api/v1/videos/${videoId}/like`, { method: "POST", json: { value: 1 } })).status).toBe(401);
    expect((await api("/api/v1/users/me/watch-history?cursor=garbage!", { as: viewer })).status).toBe(400);
    expect(
      (await api("/api/v1/users/me/watch-history/paused", { method: "PUT", as: viewer, json: { paused: "yes" } }))
        .status,
    ).toBe(400);

    const hidden = await readyVideo(owner, "private");
    expect(
      (
        await api(`/api/v1/videos/${hidden.videoId}/watch-position`, {
          method: "POST",
          as: viewer,
          json: { position: 1, duration: 2 },
        })
      ).status,
    ).toBe(404);
    expect(
      (await api(`/api/v1/videos/${hidden.videoId}/like`, { method: "POST", as: viewer, json: { value: 1 } })).status,
    ).toBe(404);
    expect((await api(`/api/v1/videos/nosuch/share`, { method: "POST" })).status).toBe(404);
  });
});
