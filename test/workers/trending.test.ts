import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index";
import { refreshTrending } from "../../workers/services/trending";
import {
  channelFactor,
  decayWeight,
  HOUR_MS,
  heat,
  pickTop,
  rankKey,
  scoreAt,
  TRENDING,
  trendingScore,
} from "../../workers/services/trending-score";
import { databaseOf, trendingDeps } from "../../workers/wiring/deps";
import { roomOf } from "../../workers/wiring/rooms";
import { api, expectProblem, readyVideo, registerUser, type TestUser } from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

type Item = { id: string; trending_score: number; channel: { id: string } };
type List = { items: Item[]; region: string; category: string; limit: number };

const hourOf = (t: number) => Math.floor(t / HOUR_MS);
const row = (hour: number, views: number, extra: Partial<Record<"likes" | "comments" | "shares", number>> = {}) => ({
  hour,
  views,
  watchSeconds: views * 6,
  likes: 0,
  comments: 0,
  shares: 0,
  ...extra,
});

/**
 * The test's clock: the cron runs at times the tests choose, and only moves forward, because
 * its watermark (in KV) is shared by the tests of this file.
 */
let clock = Date.now();
const advance = (ms: number) => {
  clock += ms;
  return clock;
};

/**
 * Activity as the watch-events consumer rolls it into the video's room, at hours the test
 * picks, and the room's flush at the test's `clock` (it marks the video active for the cron).
 */
async function activity(videoId: string, region: string, hour: number, views: number, viewers = 3) {
  const room = roomOf(env, videoId);
  // The distinct viewers trending asks the video's room for: each one's first mark in the hour
  // is a view of it, the rest of the views come as the consumer rolls them up.
  let marked = 0;
  for (let i = 0; i < viewers; i++)
    marked += Number(await room.markView({ viewer: `a:${videoId}:${i}`, hour, region }));
  const rest = Math.max(0, views - marked);
  await room.rollUp([
    { id: crypto.randomUUID(), region, hour, views: rest, watchSeconds: views * 6, likes: 0, comments: 0, shares: 0 },
  ]);
  await env.DB.prepare("UPDATE videos SET active_at = ? WHERE id = ?").bind(clock, videoId).run();
}

async function tick(at: number) {
  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: at }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function trending(query: string) {
  const res = await api(`/api/v1/videos/trending?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as List;
}

async function categorised(user: TestUser, category: string, visibility = "public") {
  const { videoId } = await readyVideo(user, visibility);
  const res = await api(`/api/v1/videos/${videoId}`, { method: "PATCH", as: user, json: { category } });
  expect(res.status).toBe(200);
  return videoId;
}

describe("trending scores (pure, on a controlled clock)", () => {
  const now = Date.UTC(2026, 10, 25, 12, 30);
  const facts = { durationSeconds: 60, publishedAt: now - 2 * HOUR_MS, subscribers: 0 };

  it("halves activity every half-life and ignores what is older than the window", () => {
    const h = hourOf(now);
    expect(decayWeight(h, now, 6)).toBeCloseTo(1, 5);
    expect(heat([row(h - 6, 100)], now) / heat([row(h, 100)], now)).toBeCloseTo(0.5, 5);
    expect(heat([row(h - 12, 100)], now) / heat([row(h, 100)], now)).toBeCloseTo(0.25, 5);
    expect(heat([row(h - TRENDING.windowHours - 1, 1000)], now)).toBe(0);
    // Likes 2, comments 1.5, shares 3 (the spec's weights), against a view's 1.
    const base = heat([row(h, 10)], now);
    expect(heat([row(h, 10, { likes: 1, comments: 2, shares: 1 })], now) - base).toBeCloseTo(2 + 3 + 3, 5);
  });

  it("normalises by channel size so that a small channel can outrank a big one", () => {
    const h = hourOf(now);
    const small = trendingScore([row(h, 40)], { ...facts, subscribers: 3 }, now);
    const big = trendingScore([row(h, 100)], { ...facts, subscribers: 100_000 }, now);
    expect(small).toBeGreaterThan(big);
    expect(channelFactor(0)).toBe(1);
    expect(channelFactor(9)).toBeCloseTo(0.5, 5);
  });

  it("ranks scores from different times on one scale, and tells a key's score later", () => {
    const s = 80;
    expect(scoreAt(rankKey(s, now), now + 6 * HOUR_MS)).toBeCloseTo(40, 5);
    // Computed 6 hours apart, 80 then and 40 now are worth the same.
    expect(rankKey(80, now)).toBeCloseTo(rankKey(40, now + 6 * HOUR_MS), 9);
  });

  it("keeps at most two videos of one channel", () => {
    const ranked = ["a", "a", "b", "a", "c", "b", "b"].map((channelId, i) => ({ channelId, i }));
    expect(pickTop(ranked).map((r) => r.i)).toEqual([0, 1, 2, 4, 5]);
  });
});

describe("trending cron and API", () => {
  it("writes decayed, size-normalised lists per region and category to KV; thresholds viewers", async () => {
    const h = hourOf(advance(60_000));
    const category = `music-${crypto.randomUUID().slice(0, 8)}`;
    const bigCreator = await registerUser();
    const smallCreator = await registerUser();
    const oldCreator = await registerUser();
    const fewCreator = await registerUser();
    const big = await categorised(bigCreator, category);
    const small = await categorised(smallCreator, category);
    const old = await categorised(oldCreator, category);
    const few = await categorised(fewCreator, category);
    await env.DB.prepare("UPDATE channels SET subscriber_count = 1000 WHERE id = ?").bind(bigCreator.channel_id).run();
    for (const hour of [h, h - 1, h - 2]) {
      await activity(big, "US", hour, 10);
      await activity(small, "US", hour, 6);
    }
    await activity(old, "US", h - 30, 60);
    // Many views, too few people: two viewers replaying all day.
    await activity(few, "US", h, 40, 2);

    await tick(advance(1000));
    const us = await trending(`region=US&category=${category}`);
    expect(us.region).toBe("US");
    expect(us.items.map((i) => i.id)).toEqual([small, big, old]);
    const scores = us.items.map((i) => i.trending_score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const stored = await env.CACHE.get<{ items: { video_id: string; rank_key: number }[] }>(
      `trending:v1:US:${category}`,
      "json",
    );
    expect(stored?.items.map((i) => i.video_id)).toEqual([small, big, old]);
    const all = await env.CACHE.get<{ items: { video_id: string }[] }>("trending:v1:global:all", "json");
    expect(all?.items.map((i) => i.video_id)).toEqual(expect.arrayContaining([small, big, old]));
    expect(all?.items.map((i) => i.video_id)).not.toContain(few);

    // A region with no list of its own, and a caller with no country, get the global list.
    const fr = await trending(`region=fr&category=${category}`);
    expect(fr.region).toBe("global");
    expect(fr.items.map((i) => i.id)).toEqual([small, big, old]);
    expect((await trending(`category=${category}`)).region).toBe("global");
    expect((await trending(`region=US&category=${category}&limit=2`)).items).toHaveLength(2);
  });

  it("recomputes only videos with new activity, and moves with what is watched now", async () => {
    const h = hourOf(advance(60_000));
    const category = `news-${crypto.randomUUID().slice(0, 8)}`;
    const [a, b] = [await registerUser(), await registerUser()];
    const first = await categorised(a, category);
    const second = await categorised(b, category);
    await activity(first, "DE", h, 20);
    await activity(second, "DE", h, 10);
    await tick(advance(1000));
    expect((await trending(`region=DE&category=${category}`)).items.map((i) => i.id)).toEqual([first, second]);

    // The next run reads the last minute again (a roll-up may commit late); the one after
    // reads no activity and rewrites no list.
    const deps = trendingDeps(env, databaseOf(env));
    expect(await refreshTrending(deps, advance(5 * 60_000))).toMatchObject({ videos: 2 });
    const before = await env.CACHE.get(`trending:v1:DE:${category}`);
    expect(await refreshTrending(deps, advance(5 * 60_000))).toEqual({ videos: 0, scores: 0, lists: 0 });
    expect(await env.CACHE.get(`trending:v1:DE:${category}`)).toBe(before);

    // Hours later the second video takes off; the first's views have decayed meanwhile.
    const later = advance(5 * HOUR_MS);
    await activity(second, "DE", hourOf(later), 15);
    await tick(advance(1000));
    const list = await trending(`region=DE&category=${category}`);
    expect(list.items.map((i) => i.id)).toEqual([second, first]);
  });

  it("lists at most two videos per channel and never private, unlisted or hidden-since videos", async () => {
    const h = hourOf(advance(60_000));
    const category = `games-${crypto.randomUUID().slice(0, 8)}`;
    const prolific = await registerUser();
    const other = await registerUser();
    const mine = [
      await categorised(prolific, category),
      await categorised(prolific, category),
      await categorised(prolific, category),
    ];
    const hidden = await categorised(other, category, "private");
    const unlisted = await categorised(other, category, "unlisted");
    const theirs = await categorised(other, category);
    for (const [i, id] of [...mine, hidden, unlisted, theirs].entries()) await activity(id, "JP", h, 50 - i);
    await tick(advance(1000));

    let list = await trending(`region=JP&category=${category}`);
    expect(list.items.map((i) => i.id)).toEqual([mine[0], mine[1], theirs]);

    // Made private after the list was written: gone at once, before the next run.
    expect(
      (await api(`/api/v1/videos/${mine[0]}`, { method: "PATCH", as: prolific, json: { visibility: "private" } }))
        .status,
    ).toBe(200);
    list = await trending(`region=JP&category=${category}`);
    expect(list.items.map((i) => i.id)).toEqual([mine[1], theirs]);
    // The next run, with new activity on the channel, lets its third video in.
    await activity(mine[2]!, "JP", h, 1);
    await tick(advance(1000));
    list = await trending(`region=JP&category=${category}`);
    expect(list.items.map((i) => i.id).sort()).toEqual([mine[1], mine[2], theirs].sort());
  });
});

describe("trending: bad input", () => {
  it("answers 400 validation_failed for a region that is not two letters and bad limits", async () => {
    for (const query of ["region=USA", "region=U", "region=1A", "region=", "limit=0", "limit=-5", "limit=x"]) {
      const body = await expectProblem(await api(`/api/v1/videos/trending?${query}`), 400, "validation_failed");
      expect(body.invalid_params?.[0]?.name, query).toMatch(/region|limit/);
    }
    await expectProblem(await api(`/api/v1/videos/trending?category=${"x".repeat(51)}`), 400, "validation_failed");
  });
});
