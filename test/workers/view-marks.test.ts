import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../workers/durable-objects/video-room-protocol";
import { type EngagementDeps, reportPosition } from "../../workers/services/engagement";
import { databaseOf, engagementDeps } from "../../workers/wiring/deps";
import { roomOf } from "../../workers/wiring/rooms";
import { api, catalogueVideo, readyVideo, registerUser, roomMarks } from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

// Issue 23: a video's view marks (one per viewer and hour) live in its room's SQLite for
// LIMITS.markHours, not in the shared D1; the room counts a view when a mark is new, trending
// asks it for distinct viewers, and the alarm expires old marks.

const HOUR = 3_600_000;
const hourNow = () => Math.floor(Date.now() / HOUR);
const hub = (videoId: string) => env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));

async function viewCount(videoId: string) {
  await runDurableObjectAlarm(hub(videoId));
  const res = await api(`/api/v1/videos/${videoId}`);
  return ((await res.json()) as { view_count: number }).view_count;
}

describe("view marks in the video's room", () => {
  it("counts a view once per viewer and hour, and answers distinct viewers per region up to a cap", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "marks" });
    const room = roomOf(env, id);
    const h = hourNow();
    expect(await room.markView({ viewer: "a:1", hour: h, region: "DE" })).toBe(true);
    expect(await room.markView({ viewer: "a:1", hour: h, region: "DE" })).toBe(false);
    expect(await room.markView({ viewer: "a:1", hour: h - 1, region: "DE" })).toBe(true);
    expect(await room.markView({ viewer: "u:2", hour: h, region: "FR" })).toBe(true);
    expect(await room.markView({ viewer: "u:3", hour: h - 5, region: "FR" })).toBe(true);
    expect(await viewCount(id)).toBe(4);

    // Distinct viewers, not views: a:1's two hours are one viewer.
    expect(await room.viewers(h - 2, ["global", "DE", "FR", "JP"], 10)).toEqual([2, 1, 1, 0]);
    expect(await room.viewers(h - 10, ["global", "FR"], 10)).toEqual([3, 2]);
    expect(await room.viewers(h - 10, ["global"], 2)).toEqual([2]);
  });

  it("expires marks older than markHours at the alarm, which a mark keeps set", async () => {
    const owner = await registerUser();
    const id = await catalogueVideo(owner, { title: "expiring" });
    const room = roomOf(env, id);
    const h = hourNow();
    const oldest = h - LIMITS.markHours + 1;
    for (const [viewer, hour] of [
      ["a:gone", h - LIMITS.markHours],
      ["a:last", oldest],
      ["a:now", h],
    ] as const) {
      expect(await room.markView({ viewer, hour, region: "DE" })).toBe(true);
    }
    // The views' flush is due soon; its alarm also expires the mark past its hours.
    const due = await runInDurableObject(hub(id), (_, state) => state.storage.getAlarm());
    expect(due).not.toBeNull();
    expect(due ?? Infinity).toBeLessThanOrEqual(Date.now() + LIMITS.flushAfterMs);

    expect(await runDurableObjectAlarm(hub(id))).toBe(true);
    expect((await roomMarks(id)).map((m) => m.viewer)).toEqual(["a:last", "a:now"]);
    // The next alarm: when the oldest mark left leaves its hours.
    const next = await runInDurableObject(hub(id), (_, state) => state.storage.getAlarm());
    expect(next).toBe((oldest + LIMITS.markHours) * HOUR);
    expect(await viewCount(id)).toBe(3);
    // The same viewer in the same hour is not a new view.
    expect(await room.markView({ viewer: "a:now", hour: h, region: "DE" })).toBe(false);
    expect(await viewCount(id)).toBe(3);
  });

  it("asks the room only once a signed-in viewer's hour is marked", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const viewer = await registerUser();
    const user = { id: viewer.id, username: viewer.username, role: "user" as const };
    const db = databaseOf(env);
    const real = engagementDeps(env, db);
    const calls: number[] = [];
    const deps: EngagementDeps = {
      ...real,
      markView: async (id, mark) => {
        calls.push(mark.hour);
        return real.markView(id, mark);
      },
    };
    const at = new Date();
    const report = (position: number, ms = 0) =>
      reportPosition(deps, videoId, { user, region: "DE" }, { position, duration: 120 }, new Date(at.getTime() + ms));
    expect((await report(4)).counted).toBe(false); // not yet 10 s: no mark, no call
    expect((await report(14, 1)).counted).toBe(true);
    expect((await report(24, 2)).counted).toBe(false);
    expect((await report(34, 3)).counted).toBe(false);
    expect(calls).toHaveLength(1);
    // An anonymous viewer has no history to tell: each eligible report asks the room, which dedupes.
    const anonymous = { anonymousId: "anon-1", region: "DE" };
    for (const position of [12, 22]) {
      await reportPosition(deps, videoId, anonymous, { position, duration: 120 }, at);
    }
    expect(calls).toHaveLength(3);
    expect(await viewCount(videoId)).toBe(2);
  });

  it("asks the room again at the next report when a mark failed", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const viewer = await registerUser();
    const user = { id: viewer.id, username: viewer.username, role: "user" as const };
    const real = engagementDeps(env, databaseOf(env));
    let fail = true;
    const deps: EngagementDeps = {
      ...real,
      markView: async (id, mark) => {
        if (fail) throw new Error("room unreachable");
        return real.markView(id, mark);
      },
    };
    const at = Date.now();
    const report = (position: number, ms: number) =>
      reportPosition(deps, videoId, { user, region: "DE" }, { position, duration: 120 }, new Date(at + ms));
    await expect(report(14, 0)).rejects.toThrow("room unreachable");
    fail = false;
    // The history kept the report, but not the mark's hour: this report asks, and counts.
    expect((await report(24, 1)).counted).toBe(true);
    expect(await viewCount(videoId)).toBe(1);
  });

  it("tells an anonymous player in a cookie which hour is marked, and skips the room when it says so", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const heartbeat = (ip: string, position: number, cookie?: string) =>
      api(`/api/v1/videos/${videoId}/heartbeat`, {
        method: "POST",
        as: { ip },
        headers: { "User-Agent": "TestPlayer/1", ...(cookie ? { Cookie: cookie } : {}) },
        json: { position, duration: 120 },
      });
    const markCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith("view_mark="));
    // Not yet 10 s: nothing marked, no cookie.
    let res = await heartbeat("203.0.113.21", 5);
    expect(res.status).toBe(204);
    expect(markCookie(res)).toBeUndefined();
    res = await heartbeat("203.0.113.21", 15);
    const set = markCookie(res) ?? "";
    expect(set).toContain(`view_mark=${hourNow()}`);
    expect(set).toContain(`Path=/api/v1/videos/${videoId}/heartbeat`);
    expect(set).toContain("HttpOnly");
    // With it, the next heartbeats of the hour say nothing new.
    res = await heartbeat("203.0.113.21", 25, `view_mark=${hourNow()}`);
    expect(res.status).toBe(204);
    expect(markCookie(res)).toBeUndefined();
    // A player that claims a mark it does not have only loses its own view: the room is not asked.
    res = await heartbeat("203.0.113.22", 15, `view_mark=${hourNow()}`);
    expect(res.status).toBe(204);
    // A stale hour or garbage is asked about as if there were no cookie.
    expect((await heartbeat("203.0.113.23", 15, `view_mark=${hourNow() - 1}`)).status).toBe(204);
    expect((await heartbeat("203.0.113.24", 15, "view_mark=x")).status).toBe(204);
    expect(await viewCount(videoId)).toBe(3);
    expect(await roomMarks(videoId)).toHaveLength(3);
  });
});
