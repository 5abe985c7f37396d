import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../workers/lib/ids";
import type { PlaybackEvent } from "../../workers/storage/analytics";
import {
  LOCAL_DAYS,
  LOCAL_ROLLUP,
  LOCAL_SESSION_DAYS,
  LOCAL_SESSIONS,
  LOCAL_TABLE,
  localQuery,
  localSink,
  rebuildRollup,
  SQLITE_FOLDING,
} from "../../workers/storage/analytics-local";
import { averageViewSeconds, percentile, retention } from "../../workers/storage/analytics-query";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 11, 5, 10); // 10:00 UTC
const query = localQuery(env.ANALYTICS_LOCAL);

type Spec = Partial<PlaybackEvent> & Pick<PlaybackEvent, "type" | "sessionId">;
const event = (videoId: string, e: Spec): PlaybackEvent => ({
  videoId,
  channelId: "chan-1",
  source: "home",
  region: "DE",
  device: "desktop",
  rendition: "720p",
  errorCode: null,
  position: 0,
  from: null,
  startupMs: null,
  rebufferMs: null,
  duration: 100,
  at: T0,
  ...e,
});

/** Writes events through the local sink as the route does, stamped (`timestamp`) at `at`. */
async function write(at: number, videoId: string, events: Spec[]) {
  await localSink(env.ANALYTICS_LOCAL, () => at).write(events.map((e) => event(videoId, e)));
}

const heartbeats = (sessionId: string, positions: number[]): Spec[] =>
  positions.map((position) => ({ type: "heartbeat", sessionId, position }));

const range = { from: T0, to: T0 + 24 * HOUR };

/**
 * Every template, by hour and by day, over each range and scope, answers on the local store
 * what `events` (the events folded at read time) answers; returns how many answers had a
 * figure, so a caller can check that the comparison compared something.
 */
async function expectSameAnswers(
  events: ReturnType<typeof localQuery>,
  ranges: { from: number; to: number }[],
  scopes: ({ videoId: string } | { channelId: string })[],
): Promise<number> {
  const names = [
    "viewsOverTime",
    "watchTime",
    "reach",
    "sources",
    "regions",
    "devices",
    "startup",
    "sessions",
    "topVideos",
  ] as const;
  let nonEmpty = 0;
  for (const r of ranges) {
    for (const scope of scopes) {
      for (const granularity of ["hour", "day"] as const) {
        for (const name of names) {
          const p = { ...scope, ...r, granularity };
          const expected = await events.run(name, p);
          expect(await query.run(name, p), `${name} ${JSON.stringify(p)}`).toEqual(expected);
          if (expected.length && Object.values(expected[0] ?? {}).some((v) => v)) nonEmpty++;
        }
      }
    }
  }
  return nonEmpty;
}

describe("views over time and watch time (templates on the local store)", () => {
  it("counts views (starts) and watch time (heartbeats x 10 s) per hour and per day, inside the range and the video only", async () => {
    const videoId = newId();
    await write(T0 - 60_000, videoId, [{ type: "start", sessionId: "early" }]); // 09:59, before the range
    await write(T0 + 15 * 60_000, videoId, [{ type: "start", sessionId: "a" }, ...heartbeats("a", [10, 20, 30])]);
    await write(T0 + 40 * 60_000, videoId, [
      { type: "start", sessionId: "b" },
      { type: "pause", sessionId: "b" },
    ]);
    await write(T0 + 65 * 60_000, videoId, [{ type: "start", sessionId: "c" }, ...heartbeats("c", [10, 20])]);
    await write(T0 + 65 * 60_000, newId(), [{ type: "start", sessionId: "other" }, ...heartbeats("other", [10])]);

    expect(await query.run("viewsOverTime", { videoId, ...range, granularity: "hour" })).toEqual([
      { t: T0 / 1000, views: 2, watch_seconds: 30 },
      { t: (T0 + HOUR) / 1000, views: 1, watch_seconds: 20 },
    ]);
    expect(await query.run("viewsOverTime", { videoId, ...range, granularity: "day" })).toEqual([
      { t: Date.UTC(2026, 11, 5) / 1000, views: 3, watch_seconds: 50 },
    ]);
    const [totals] = await query.run("watchTime", { videoId, ...range, granularity: "day" });
    expect(totals).toEqual({ views: 3, watch_seconds: 50, rebuffer_ms: 0, sample_interval: 1 });
    expect(averageViewSeconds(totals)).toBeCloseTo(50 / 3, 6);
    // Nothing in the range: no buckets, and no views to average over.
    const empty = { videoId, from: T0 + 48 * HOUR, to: T0 + 72 * HOUR, granularity: "hour" as const };
    expect(await query.run("viewsOverTime", empty)).toEqual([]);
    expect(averageViewSeconds((await query.run("watchTime", empty))[0])).toBe(0);
  });

  it("weights every row by _sample_interval, as Analytics Engine's sampled rows must be", async () => {
    const videoId = newId();
    await write(T0 + 60_000, videoId, [{ type: "start", sessionId: "a" }, ...heartbeats("a", [10])]);
    // A row standing for 4 (what Analytics Engine answers when it kept 1 in 4 of this video's points).
    await env.ANALYTICS_LOCAL.prepare(
      `INSERT INTO ${LOCAL_TABLE} SELECT timestamp, index1, blob1, 's4', blob3, blob4, blob5, blob6, blob7, blob8,
         double1, double2, double3, double4, double5, double6, 4 FROM ${LOCAL_TABLE} WHERE index1 = ?`,
    )
      .bind(videoId)
      .run();
    await rebuildRollup(env.ANALYTICS_LOCAL); // rows written by hand are folded by the backfill
    const [totals] = await query.run("watchTime", { videoId, ...range, granularity: "day" });
    // sample_interval above 1: the answer says its figures are sampled.
    expect(totals).toEqual({ views: 5, watch_seconds: 50, rebuffer_ms: 0, sample_interval: 4 });
  });

  it("runs only whitelisted templates, with parameters checked before they reach SQL", async () => {
    await expect(
      query.run("viewsOverTime", { videoId: "x' OR '1'='1", ...range, granularity: "hour" }),
    ).rejects.toThrow(/video id/);
    await expect(query.run("viewsOverTime", { videoId: "v1", from: 1.5, to: 2, granularity: "hour" })).rejects.toThrow(
      /whole ms/,
    );
    await expect(
      query.run("viewsOverTime", { videoId: "v1", ...range, granularity: "minute" as never }),
    ).rejects.toThrow(/granularity/);
    await expect(query.run("dropTable" as never, { videoId: "v1", ...range, granularity: "hour" })).rejects.toThrow(
      /no template/,
    );
    await expect(query.run("sources", { channelId: "c' OR 1=1 --", ...range, granularity: "day" })).rejects.toThrow(
      /channel id/,
    );
    // One scope, never both or neither.
    await expect(
      query.run("sources", { videoId: "v1", channelId: "c1", ...range, granularity: "day" } as never),
    ).rejects.toThrow(/one video's events or one channel's/);
    await expect(query.run("sources", { ...range, granularity: "day" } as never)).rejects.toThrow(/one video/);
  });
});

describe("retention in 100 buckets (the reach template and the curve)", () => {
  it("matches hand-computed curves: seeks back, rewatches, a skip ahead, sessions that never start", async () => {
    const videoId = newId();
    await write(T0 + 60_000, videoId, [
      // A: plays to 55 s and pauses: reached 55%.
      { type: "start", sessionId: "A" },
      ...heartbeats("A", [10, 20, 30, 40, 50]),
      { type: "pause", sessionId: "A", position: 55 },
      // B: plays 10 s, seeks back to 0, rewatches to 20 s: reached 20% (rewatching never adds).
      { type: "start", sessionId: "B" },
      ...heartbeats("B", [10]),
      { type: "seek", sessionId: "B", position: 0, from: 10 },
      ...heartbeats("B", [10, 20]),
      // C: seeks from 0 to 90 and plays to the end: reached 100% (the furthest point played).
      { type: "start", sessionId: "C" },
      { type: "seek", sessionId: "C", position: 90, from: 0 },
      ...heartbeats("C", [100]),
      { type: "end", sessionId: "C", position: 100 },
      // E: started, nothing more: reached 0%.
      { type: "start", sessionId: "E" },
      // F: started, seeked to 80 and left before a heartbeat: a landing is not playing, 0%.
      { type: "start", sessionId: "F" },
      { type: "seek", sessionId: "F", position: 80, from: 0 },
      // D: heartbeats without a start (its start was lost): not a view, not counted.
      ...heartbeats("D", [10, 20, 30, 40, 50, 60, 70, 80, 90]),
      // G: played to 38 s between heartbeats, seeked back to 5 and left at 12: it played up to
      // where the seek left from, 38%, beyond its last heartbeat (30).
      { type: "start", sessionId: "G" },
      ...heartbeats("G", [10, 20, 30]),
      { type: "seek", sessionId: "G", position: 5, from: 38 },
      { type: "pause", sessionId: "G", position: 12 },
    ]);
    const rows = await query.run("reach", { videoId, ...range, granularity: "day" });
    expect(rows).toEqual([
      { pct: 0, sessions: 2 },
      { pct: 20, sessions: 1 },
      { pct: 38, sessions: 1 },
      { pct: 55, sessions: 1 },
      { pct: 100, sessions: 1 },
    ]);
    const curve = retention(rows);
    expect(curve).toHaveLength(100);
    const expected = Array.from({ length: 100 }, (_, i) =>
      i === 0 ? 1 : i <= 20 ? 4 / 6 : i <= 38 ? 3 / 6 : i <= 55 ? 2 / 6 : 1 / 6,
    );
    for (let i = 0; i < 100; i++) expect(curve[i], `retention[${i}]`).toBeCloseTo(expected[i]!, 9);
  });

  it("a 1 in 3 sampled session counts three times; no views is a flat zero curve", () => {
    expect(
      retention([
        { pct: 0, sessions: 1 },
        { pct: 50, sessions: 3 },
      ]).slice(0, 52),
    ).toEqual([1, ...new Array(50).fill(0.75), 0]);
    expect(retention([])).toEqual(new Array(100).fill(0));
  });
});

describe("audience: views by traffic source, region and device", () => {
  it("counts started sessions per value, most first (ties by name), weighted, in the range and the video only", async () => {
    const videoId = newId();
    await write(T0 + 60_000, videoId, [
      { type: "start", sessionId: "a", source: "search", region: "DE", device: "mobile" },
      { type: "start", sessionId: "b", source: "search", region: "FR", device: "desktop" },
      { type: "start", sessionId: "c", source: "home", region: "DE", device: "mobile" },
      { type: "start", sessionId: "d", source: "external", region: "US", device: "tv" },
      // Heartbeats and a session that never started are not views of anywhere.
      ...heartbeats("a", [10, 20]),
      { type: "heartbeat", sessionId: "e", source: "channel", region: "JP", device: "tablet", position: 10 },
    ]);
    await write(T0 - HOUR, videoId, [{ type: "start", sessionId: "before", source: "playlist" }]);
    await write(T0 + 60_000, newId(), [{ type: "start", sessionId: "other", source: "related" }]);
    const p = { videoId, ...range, granularity: "day" as const };
    expect(await query.run("sources", p)).toEqual([
      { source: "search", views: 2 },
      { source: "external", views: 1 },
      { source: "home", views: 1 },
    ]);
    expect(await query.run("regions", p)).toEqual([
      { region: "DE", views: 2 },
      { region: "FR", views: 1 },
      { region: "US", views: 1 },
    ]);
    expect(await query.run("devices", p)).toEqual([
      { device: "mobile", views: 2 },
      { device: "desktop", views: 1 },
      { device: "tv", views: 1 },
    ]);
  });
});

describe("playback quality: startup percentiles, rebuffering, errors", () => {
  it("makes a 10 ms histogram of measured startups, from which p50 and p95 are read to within a bucket", async () => {
    const videoId = newId();
    const starts = [400, 420, 455, 610, 1200, 2500].map((startupMs, i) => ({
      type: "start" as const,
      sessionId: `s${i}`,
      startupMs,
    }));
    // A start that measured nothing (0 in double3) is not a startup of 0 ms.
    await write(T0 + 60_000, videoId, [...starts, { type: "start", sessionId: "unmeasured" }]);
    const rows = await query.run("startup", { videoId, ...range, granularity: "day" });
    expect(rows).toEqual([
      { ms: 400, starts: 1 },
      { ms: 420, starts: 1 },
      { ms: 450, starts: 1 },
      { ms: 610, starts: 1 },
      { ms: 1200, starts: 1 },
      { ms: 2500, starts: 1 },
    ]);
    // Nearest rank of 6: p50 is the 3rd (455 -> its bucket 450), p95 the 6th.
    expect(percentile(rows, 0.5)).toBe(450);
    expect(percentile(rows, 0.95)).toBe(2500);
  });

  it("weights percentiles by what each bucket stands for; nothing measured is null", () => {
    const rows = [
      { ms: 900, starts: 1 },
      { ms: 100, starts: 3 },
    ];
    expect(percentile(rows, 0.5)).toBe(100);
    expect(percentile(rows, 0.75)).toBe(100);
    expect(percentile(rows, 0.95)).toBe(900);
    expect(percentile([], 0.5)).toBeNull();
  });

  it("sums rebuffering against watch time, and counts the sessions that hit an error, started or not", async () => {
    const videoId = newId();
    await write(T0 + 60_000, videoId, [
      // A: played 30 s with a 850 ms stall.
      { type: "start", sessionId: "A" },
      ...heartbeats("A", [10, 20]),
      { type: "rebuffer", sessionId: "A", position: 21, rebufferMs: 850 },
      ...heartbeats("A", [30]),
      // B: played 10 s, stalled 1150 ms, then failed.
      { type: "start", sessionId: "B" },
      ...heartbeats("B", [10]),
      { type: "rebuffer", sessionId: "B", position: 12, rebufferMs: 1150 },
      { type: "error", sessionId: "B", position: 12, errorCode: "media_decode" },
      // C: failed before its first frame (no start): no view, but a session with an error.
      { type: "error", sessionId: "C", errorCode: "media_network" },
    ]);
    const p = { videoId, ...range, granularity: "day" as const };
    const [totals] = await query.run("watchTime", p);
    expect(totals).toEqual({ views: 2, watch_seconds: 40, rebuffer_ms: 2000, sample_interval: 1 });
    expect(await query.run("sessions", p)).toEqual([{ sessions: 3, errored: 2 }]);
  });
});

describe("a channel's scope (blob8) and its top videos", () => {
  it("reads every video of the channel and nothing else, and ranks its videos by views, then watch time", async () => {
    const channelId = newId();
    const [v1, v2, v3] = [newId(), newId(), newId()];
    const of = (sessionId: string, seconds: number[]): Spec[] => [
      { type: "start", sessionId, channelId },
      ...seconds.map((position) => ({ type: "heartbeat" as const, sessionId, position, channelId })),
    ];
    await write(T0 + 60_000, v1, [...of("a", [10]), ...of("b", [10, 20])]);
    await write(T0 + 2 * HOUR, v2, [...of("c", [10, 20, 30, 40])]);
    // The same session id on another video of the channel: another session (retention never mixes them).
    await write(T0 + 3 * HOUR, v3, [...of("a", [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])]);
    // Another channel's video.
    await write(T0 + 60_000, newId(), [{ type: "start", sessionId: "x", channelId: newId() }]);

    const p = { channelId, ...range, granularity: "day" as const };
    const [totals] = await query.run("watchTime", p);
    expect(totals).toMatchObject({ views: 4, watch_seconds: 170 });
    expect(await query.run("topVideos", p)).toEqual([
      { video_id: v1, views: 2, watch_seconds: 30 },
      { video_id: v3, views: 1, watch_seconds: 100 },
      { video_id: v2, views: 1, watch_seconds: 40 },
    ]);
    expect(await query.run("viewsOverTime", { ...p, granularity: "hour" })).toEqual([
      { t: T0 / 1000, views: 2, watch_seconds: 30 },
      { t: (T0 + 2 * HOUR) / 1000, views: 1, watch_seconds: 40 },
      { t: (T0 + 3 * HOUR) / 1000, views: 1, watch_seconds: 100 },
    ]);
    // Reach per session and video: v3's "a" reached 100%, v1's "a" 10% (durations are 100 s).
    expect(await query.run("reach", p)).toEqual([
      { pct: 10, sessions: 1 },
      { pct: 20, sessions: 1 },
      { pct: 40, sessions: 1 },
      { pct: 100, sessions: 1 },
    ]);
    expect(await query.run("sessions", p)).toEqual([{ sessions: 4, errored: 0 }]);
  });
});

describe("the local roll-up answers what the events would", () => {
  const TYPES = ["start", "heartbeat", "heartbeat", "seek", "pause", "end", "rebuffer", "error"] as const;
  // A fixed pseudo-random walk, so a failure can be replayed.
  let seed = 42;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T;

  it("equals the events folded at read time for every template, scope and range: whole hours, partial ends, one hour", async () => {
    const channelId = newId();
    const videos = [newId(), newId()];
    // 60 writes over five hours: sessions that span hours, change region, seek back, error, rebuffer.
    for (let i = 0; i < 60; i++) {
      const videoId = pick(videos);
      const sessionId = `s${Math.floor(next() * 12)}`;
      const at = T0 + Math.floor(next() * 5 * HOUR);
      const events: Spec[] = Array.from({ length: 1 + Math.floor(next() * 5) }, () => {
        const type = pick(TYPES);
        return {
          type,
          sessionId,
          channelId,
          position: Math.floor(next() * 100),
          from: type === "seek" ? Math.floor(next() * 100) : null,
          startupMs: type === "start" ? Math.floor(next() * 900) : null,
          rebufferMs: type === "rebuffer" ? Math.floor(next() * 2000) : null,
          region: pick(["DE", "US"]),
          source: pick(["home", "search"]),
        };
      });
      await write(at, videoId, events);
    }
    const events = localQuery(env.ANALYTICS_LOCAL, SQLITE_FOLDING);
    const ranges = [
      { from: T0, to: T0 + 5 * HOUR }, // whole hours only
      { from: T0 + 17 * 60_000 + 1, to: T0 + 4 * HOUR + 3 * 60_000 + 500 }, // partial hours at both ends
      { from: T0 + 2 * HOUR + 60_000, to: T0 + 2 * HOUR + 40 * 60_000 }, // inside one hour
      { from: T0 + 30 * 60_000, to: T0 + 90 * 60_000 }, // two partial hours, no whole one
      { from: T0 + HOUR, to: T0 + 3 * HOUR }, // whole hours that sessions cross into and out of
      { from: T0 + 2 * HOUR + 1, to: T0 + 5 * HOUR }, // a partial start, sessions crossing it
    ];
    const nonEmpty = await expectSameAnswers(events, ranges, [
      { videoId: videos[0] as string },
      { videoId: videos[1] as string },
      { channelId },
    ]);
    // The comparison compared figures, not empty answers.
    expect(nonEmpty).toBeGreaterThan(200);
  });

  it("equals the events folded at read time over whole days, with sessions that span midnight and writes out of order", async () => {
    const channelId = newId();
    const videos = [newId(), newId()];
    // 80 writes at random times of three days (not in time order), from 22:00 the day before
    // T0's: sessions that play on past midnight, or whose later write comes first.
    const start = T0 - 12 * HOUR;
    for (let i = 0; i < 80; i++) {
      const videoId = pick(videos);
      const sessionId = `d${Math.floor(next() * 16)}`;
      const at = start + Math.floor(next() * 60 * HOUR);
      const events: Spec[] = Array.from({ length: 1 + Math.floor(next() * 4) }, () => {
        const type = pick(TYPES);
        return {
          type,
          sessionId,
          channelId,
          position: Math.floor(next() * 100),
          from: type === "seek" ? Math.floor(next() * 100) : null,
          startupMs: type === "start" ? Math.floor(next() * 900) : null,
          rebufferMs: type === "rebuffer" ? Math.floor(next() * 2000) : null,
          region: pick(["DE", "US"]),
          device: pick(["mobile", "tv"]),
        };
      });
      await write(at, videoId, events);
    }
    const events = localQuery(env.ANALYTICS_LOCAL, SQLITE_FOLDING);
    const midnight = start + 2 * HOUR; // T0's day
    const ranges = [
      { from: start + 17 * 60_000, to: start + 59 * HOUR + 3 * 60_000 }, // partial hours, whole hours, two whole days
      { from: midnight, to: midnight + 2 * DAY }, // two whole days, nothing else
      { from: midnight - HOUR, to: midnight + DAY + 5 * HOUR + 1 }, // one whole day, sessions crossing in and out
      { from: midnight + 3 * HOUR, to: midnight + DAY + 3 * HOUR }, // whole hours only, over midnight
    ];
    const nonEmpty = await expectSameAnswers(events, ranges, [
      { videoId: videos[0] as string },
      { videoId: videos[1] as string },
      { channelId },
    ]);
    expect(nonEmpty).toBeGreaterThan(150);
    // Some sessions did span midnight, so both kinds of session were read.
    const { spanning } = (await env.ANALYTICS_LOCAL.prepare(
      `SELECT count(*) AS spanning FROM ${LOCAL_SESSIONS} WHERE channel = ?1 AND first_hour / 86400 < last_hour / 86400`,
    )
      .bind(channelId)
      .first<{ spanning: number }>()) ?? { spanning: 0 };
    expect(spanning).toBeGreaterThan(0);
    // What the writes kept by the day, each taking its sessions out of a count and back in,
    // is what the backfill makes from scratch.
    const kept = async () =>
      Promise.all(
        [LOCAL_DAYS, LOCAL_SESSION_DAYS].map(
          async (table) =>
            (
              await env.ANALYTICS_LOCAL.prepare(
                `SELECT * FROM ${table} WHERE channel = ?1 ORDER BY 1, 2, 3, 4, 5, 6, 7`,
              )
                .bind(channelId)
                .all()
            ).results,
        ),
      );
    const written = await kept();
    expect(written[1]?.length).toBeGreaterThan(0);
    await rebuildRollup(env.ANALYTICS_LOCAL);
    expect(await kept()).toEqual(written);
  });

  it("brings a store from before the day tables and the current indexes up to date on its first write, keeping its events", async () => {
    const videoId = newId();
    await write(T0 - DAY, videoId, [{ type: "start", sessionId: "a", startupMs: 420 }, ...heartbeats("a", [10, 20])]);
    const db = env.ANALYTICS_LOCAL;
    // The store as it was: no day tables, the video's index of (index1, timestamp), none of the newer indexes.
    await db.batch(
      [
        `DROP TABLE ${LOCAL_DAYS}`,
        `DROP TABLE ${LOCAL_SESSION_DAYS}`,
        `DROP INDEX ${LOCAL_TABLE}_fold`,
        `DROP INDEX ${LOCAL_SESSIONS}_spanning`,
        `DROP INDEX ${LOCAL_SESSIONS}_channel_spanning`,
        `CREATE INDEX ${LOCAL_TABLE}_video ON ${LOCAL_TABLE} (index1, timestamp)`,
      ].map((sql) => db.prepare(sql)),
    );
    await write(T0 + DAY, videoId, [{ type: "start", sessionId: "b", startupMs: 1200 }, ...heartbeats("b", [10])]);
    const { results } = await db
      .prepare(`SELECT name FROM sqlite_master WHERE tbl_name IN (?1, ?2, ?3, ?4) ORDER BY name`)
      .bind(LOCAL_TABLE, LOCAL_SESSIONS, LOCAL_DAYS, LOCAL_SESSION_DAYS)
      .all<{ name: string }>();
    const names = results.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        LOCAL_DAYS,
        LOCAL_SESSION_DAYS,
        `${LOCAL_TABLE}_fold`,
        `${LOCAL_SESSIONS}_spanning`,
        `${LOCAL_SESSIONS}_channel_spanning`,
      ]),
    );
    expect(names).not.toContain(`${LOCAL_TABLE}_video`);
    // Both days' sessions and startups are in the answers, from the day tables the backfill made.
    const p = { videoId, from: T0 - 2 * DAY, to: T0 + 2 * DAY, granularity: "day" as const };
    expect(await query.run("reach", p)).toEqual([
      { pct: 10, sessions: 1 },
      { pct: 20, sessions: 1 },
    ]);
    expect(await query.run("startup", p)).toEqual([
      { ms: 420, starts: 1 },
      { ms: 1200, starts: 1 },
    ]);
    expect(await query.run("sessions", p)).toEqual([{ sessions: 2, errored: 0 }]);
    // A read that names an index the store lacks (it was not written to since) makes it first.
    await db.prepare(`DROP INDEX ${LOCAL_SESSIONS}_spanning`).run();
    expect(await query.run("sessions", p)).toEqual([{ sessions: 2, errored: 0 }]);
  });

  it("folds a store's events from before the roll-up when it is first read, and the backfill can run again", async () => {
    const videoId = newId();
    await write(T0 + 60_000, videoId, [{ type: "start", sessionId: "a" }, ...heartbeats("a", [10, 20, 60])]);
    await write(T0 + HOUR + 60_000, videoId, [{ type: "start", sessionId: "b" }, ...heartbeats("b", [10])]);
    const p = { videoId, ...range, granularity: "hour" as const };
    const before = await query.run("viewsOverTime", p);
    expect(before).toEqual([
      { t: T0 / 1000, views: 1, watch_seconds: 30 },
      { t: (T0 + HOUR) / 1000, views: 1, watch_seconds: 10 },
    ]);
    // A store from before the roll-up: its events only.
    await env.ANALYTICS_LOCAL.prepare(`DROP TABLE ${LOCAL_ROLLUP}`).run();
    expect(await query.run("viewsOverTime", p)).toEqual(before);
    expect(await query.run("reach", p)).toEqual([
      { pct: 10, sessions: 1 },
      { pct: 60, sessions: 1 },
    ]);
    await rebuildRollup(env.ANALYTICS_LOCAL);
    await rebuildRollup(env.ANALYTICS_LOCAL);
    expect(await query.run("viewsOverTime", p)).toEqual(before);
  });
});
