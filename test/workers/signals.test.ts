import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../workers/lib/ids";
import { rollUpEvent } from "../../workers/services/engagement";
import { CO_VIEW_HALF_LIFE_MS, coViewsOf, RECENT_WATCHES_PER_VIEWER } from "../../workers/storage/signals";
import { databaseOf } from "../../workers/wiring/deps";
import { freshIp, readyVideo, registerUser, roomMarks, type TestUser, waitFor } from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const HOUR = 3600_000;
const db = () => databaseOf(env);

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

const score = async (a: string, b: string, region: string) =>
  (
    await env.DB.prepare("SELECT score FROM co_views WHERE video_a = ? AND video_b = ? AND region = ?")
      .bind(a, b, region)
      .first<{ score: number }>()
  )?.score;

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
    await waitFor(async () => ((await score(a.videoId, b.videoId, "global")) ?? 0) > 1.999, "the co-views");
    expect(await score(b.videoId, a.videoId, "global")).toBeCloseTo(2, 5);
    expect(await score(a.videoId, b.videoId, "DE")).toBeCloseTo(2, 5);

    const regional = await env.DB.prepare(
      "SELECT region, sum(views) AS views FROM video_region_hourly WHERE video_id = ? GROUP BY region",
    )
      .bind(a.videoId)
      .all();
    expect(regional.results).toEqual([{ region: "DE", views: 2 }]);
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
    expect((await from("like", { value: 1 })).status).toBe(200);
    expect((await from("share")).status).toBe(204);
    const rolled = await waitFor(async () => {
      const row = await env.DB.prepare(
        "SELECT region, comments, likes, shares FROM video_region_hourly WHERE video_id = ?",
      )
        .bind(videoId)
        .first<{ comments: number; likes: number; shares: number }>();
      return row && row.comments + row.likes + row.shares === 3 ? row : undefined;
    }, "the regional roll-up");
    expect(rolled).toEqual({ region: "BR", comments: 1, likes: 1, shares: 1 });
  });

  it("counts a pair once per window however often the event comes, and never across 24 hours", async () => {
    const owner = await registerUser();
    const [x, y, z] = await bareVideos(owner, 3);
    const t = Date.UTC(2026, 10, 20, 8);
    const first = view("a:viewer-1", x!, t);
    const second = view("a:viewer-1", y!, t + HOUR);
    for (const event of [first, second, second, first]) await rollUpEvent(db(), event);
    expect(await score(x!, y!, "FR")).toBe(1);
    expect(await score(x!, y!, "global")).toBe(1);
    // 25 hours after the first watch: y is still in the window (24 h before), x is not.
    await rollUpEvent(db(), view("a:viewer-1", z!, t + 25 * HOUR));
    expect(await score(y!, z!, "global")).toBe(1);
    expect(await score(x!, z!, "global")).toBeUndefined();
    // An unknown place feeds the global rows only.
    await rollUpEvent(db(), view("a:viewer-2", x!, t, "ZZ"));
    await rollUpEvent(db(), view("a:viewer-2", y!, t + HOUR, "ZZ"));
    expect(await score(x!, y!, "global")).toBe(2);
    expect(await score(x!, y!, "ZZ")).toBeUndefined();
  });

  it("decays co-views by their half-life and keeps each viewer's window bounded", async () => {
    const owner = await registerUser();
    const [p, q] = await bareVideos(owner, 2);
    const t = Date.UTC(2026, 10, 1, 8);
    await rollUpEvent(db(), view("u:one", p!, t));
    await rollUpEvent(db(), view("u:one", q!, t + HOUR));
    const [later] = await coViewsOf(db(), [p!], "global", t + HOUR + CO_VIEW_HALF_LIFE_MS);
    expect(later).toMatchObject({ videoId: p, otherId: q });
    expect(later!.score).toBeCloseTo(0.5, 5);
    // A second viewer a half-life later: the old count has halved, the new one adds 1.
    await rollUpEvent(db(), view("u:two", p!, t + HOUR + CO_VIEW_HALF_LIFE_MS));
    await rollUpEvent(db(), view("u:two", q!, t + HOUR + CO_VIEW_HALF_LIFE_MS));
    expect(await score(p!, q!, "global")).toBeCloseTo(1.5, 5);

    const binge = await bareVideos(owner, RECENT_WATCHES_PER_VIEWER + 5);
    for (const [i, id] of binge.entries()) await rollUpEvent(db(), view("u:binge", id, t + i * 60_000));
    const kept = await env.DB.prepare(
      "SELECT count(*) AS n FROM viewer_recent_watches WHERE viewer = 'u:binge'",
    ).first();
    expect(kept).toEqual({ n: RECENT_WATCHES_PER_VIEWER });
    // The last video pairs with the window only (the 20 before it), not the whole binge.
    const pairs = await env.DB.prepare("SELECT count(*) AS n FROM co_views WHERE video_a = ? AND region = 'global'")
      .bind(binge[binge.length - 1])
      .first();
    expect(pairs).toEqual({ n: RECENT_WATCHES_PER_VIEWER });
  });
});
