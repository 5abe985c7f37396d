import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import capacityDoc from "../../docs/capacity.md?raw";
import { newId } from "../../workers/lib/ids";
import {
  AE_LIMITS,
  type AnalyticsSink,
  analyticsEngineSink,
  BLOBS,
  DOUBLES,
  type PlaybackEvent,
} from "../../workers/storage/analytics";
import { LOCAL_TABLE, localSink } from "../../workers/storage/analytics-local";
import { analyticsSinkFromEnv } from "../../workers/wiring/analytics";

const event = (videoId: string, over: Partial<PlaybackEvent> = {}): PlaybackEvent => ({
  videoId,
  channelId: "chan0000000000001",
  sessionId: "sess-1",
  type: "heartbeat",
  source: "home",
  region: "DE",
  device: "desktop",
  rendition: "720p",
  errorCode: null,
  position: 40,
  from: null,
  startupMs: null,
  rebufferMs: null,
  duration: 300,
  at: Date.UTC(2026, 11, 5, 12),
  ...over,
});

/** The binding's stand-in: keeps every data point it is handed (the runtime's own discards them locally). */
function recordingDataset() {
  const points: AnalyticsEngineDataPoint[] = [];
  const dataset: AnalyticsEngineDataset = { writeDataPoint: (point) => void points.push(point ?? {}) };
  return { points, dataset };
}

const utf8 = (value: unknown) => new TextEncoder().encode(String(value)).byteLength;

describe("the Analytics Engine sink (production adapter)", () => {
  it("writes one data point per event in the documented shape: one index (the video id), blobs and doubles within the limits", async () => {
    const { points, dataset } = recordingDataset();
    const videoId = newId();
    const events = [
      event(videoId, { type: "start", startupMs: 420, position: 0, source: "search" }),
      event(videoId, { type: "seek", position: 95, from: 40 }),
      event(videoId, { type: "error", errorCode: "media_decode", rendition: null }),
    ];
    await analyticsEngineSink(dataset).write(events);
    expect(points).toHaveLength(3);
    for (const point of points) {
      expect(point.indexes).toEqual([videoId]);
      expect(utf8(point.indexes?.[0])).toBeLessThanOrEqual(AE_LIMITS.indexBytes);
      expect(point.blobs?.length).toBeLessThanOrEqual(AE_LIMITS.blobs);
      expect(point.blobs?.every((b) => typeof b === "string")).toBe(true);
      expect((point.blobs ?? []).reduce((n: number, b) => n + utf8(b), 0)).toBeLessThanOrEqual(AE_LIMITS.blobBytes);
      expect(point.doubles?.length).toBeLessThanOrEqual(AE_LIMITS.doubles);
      expect(point.doubles?.every(Number.isFinite)).toBe(true);
    }
    expect(points[0]).toEqual({
      indexes: [videoId],
      blobs: ["start", "sess-1", "search", "DE", "desktop", "720p", "", "chan0000000000001"],
      doubles: [0, -1, 420, 0, 300, Date.UTC(2026, 11, 5, 12)],
    });
    expect(points[1]?.doubles?.slice(0, 2)).toEqual([95, 40]);
    expect(points[2]?.blobs?.slice(5, 7)).toEqual(["", "media_decode"]);
  });

  it("lays the columns out as docs/capacity.md says (blob1..blob8, double1..double6)", () => {
    const documented = (prefix: string) =>
      [...capacityDoc.matchAll(new RegExp(`^\\| \`${prefix}(\\d+)\` +\\| ([^|]+)\\|`, "gm"))].map((m) => ({
        n: Number(m[1]),
        text: (m[2] ?? "").toLowerCase(),
      }));
    const blobs = documented("blob");
    const doubles = documented("double");
    expect(blobs.map((b) => b.n)).toEqual(BLOBS.map((_, i) => i + 1));
    expect(doubles.map((d) => d.n)).toEqual(DOUBLES.map((_, i) => i + 1));
    const words: Record<string, string> = {
      type: "event type",
      session_id: "session id",
      source: "traffic source",
      region: "region",
      device: "device",
      rendition: "rendition",
      error_code: "error code",
      channel_id: "channel id",
      position: "position",
      from: "`from`",
      startup_ms: "startup",
      rebuffer_ms: "rebuffering",
      duration: "duration",
      at: "client time",
    };
    for (const [i, name] of BLOBS.entries()) expect(blobs[i]?.text).toContain(words[name]);
    for (const [i, name] of DOUBLES.entries()) expect(doubles[i]?.text).toContain(words[name]);
  });

  it("refuses a batch over 250 data points and an index over 96 bytes, writing nothing", async () => {
    const { points, dataset } = recordingDataset();
    const sink = analyticsEngineSink(dataset);
    const videoId = newId();
    const many = Array.from({ length: AE_LIMITS.pointsPerInvocation + 1 }, () => event(videoId));
    await expect(sink.write(many)).rejects.toThrow(/250/);
    await expect(sink.write([event(videoId), event("x".repeat(97))])).rejects.toThrow(/96 bytes/);
    await expect(sink.write([event(videoId, { position: Number.NaN })])).rejects.toThrow(/finite/);
    expect(points).toHaveLength(0);
  });
});

describe("the local sink (SQLite, the same columns)", () => {
  const sink: AnalyticsSink = localSink(env.ANALYTICS_LOCAL, () => Date.UTC(2026, 11, 5, 12, 30, 15));

  it("stores each event as a row with Analytics Engine's column names and _sample_interval = 1", async () => {
    const videoId = newId();
    await sink.write([event(videoId, { type: "start", startupMs: 380, position: 0 })]);
    const row = await env.ANALYTICS_LOCAL.prepare(`SELECT * FROM ${LOCAL_TABLE} WHERE index1 = ?`)
      .bind(videoId)
      .first();
    expect(row).toEqual({
      timestamp: "2026-12-05 12:30:15",
      index1: videoId,
      blob1: "start",
      blob2: "sess-1",
      blob3: "home",
      blob4: "DE",
      blob5: "desktop",
      blob6: "720p",
      blob7: "",
      blob8: "chan0000000000001",
      double1: 0,
      double2: -1,
      double3: 380,
      double4: 0,
      double5: 300,
      double6: Date.UTC(2026, 11, 5, 12),
      _sample_interval: 1,
    });
  });

  it("answers a template written for Analytics Engine's SQL (views by traffic source, weighted by _sample_interval)", async () => {
    const videoId = newId();
    const other = newId();
    await sink.write([
      event(videoId, { type: "start", sessionId: "a", source: "search" }),
      event(videoId, { type: "heartbeat", sessionId: "a", source: "search" }),
      event(videoId, { type: "start", sessionId: "b", source: "search" }),
      event(videoId, { type: "start", sessionId: "c", source: "home" }),
      event(other, { type: "start", sessionId: "d", source: "home" }),
    ]);
    const { results } = await env.ANALYTICS_LOCAL.prepare(
      `SELECT blob3 AS source, SUM(_sample_interval) AS views FROM ${LOCAL_TABLE}
       WHERE index1 = ?1 AND blob1 = 'start' GROUP BY blob3 ORDER BY views DESC, source`,
    )
      .bind(videoId)
      .all();
    expect(results).toEqual([
      { source: "search", views: 2 },
      { source: "home", views: 1 },
    ]);
  });

  it("refuses what the production sink refuses, so no local-only data exists", async () => {
    const videoId = newId();
    await expect(sink.write([event(videoId, { duration: Number.POSITIVE_INFINITY })])).rejects.toThrow(/finite/);
    const n = await env.ANALYTICS_LOCAL.prepare(`SELECT count(*) AS n FROM ${LOCAL_TABLE} WHERE index1 = ?`)
      .bind(videoId)
      .first("n");
    expect(n).toBe(0);
  });
});

describe("the sink the wiring picks (ANALYTICS)", () => {
  it("analytics-engine writes to the dataset binding, local to the ANALYTICS_LOCAL database, anything else nowhere", async () => {
    const { points, dataset } = recordingDataset();
    const videoId = newId();
    await analyticsSinkFromEnv({ ...env, ANALYTICS: "analytics-engine", PLAYBACK_EVENTS: dataset }).write([
      event(videoId),
    ]);
    expect(points.map((p) => p.indexes)).toEqual([[videoId]]);
    const count = () =>
      env.ANALYTICS_LOCAL.prepare(`SELECT count(*) AS n FROM ${LOCAL_TABLE} WHERE index1 = ?`).bind(videoId).first("n");
    await analyticsSinkFromEnv({ ...env, ANALYTICS: "local" }).write([event(videoId)]);
    expect(await count()).toBe(1);
    await analyticsSinkFromEnv({ ...env, ANALYTICS: "none" }).write([event(videoId)]);
    // Without its binding, analytics-engine keeps nothing rather than failing the player's request.
    await analyticsSinkFromEnv({ ...env, ANALYTICS: "analytics-engine", PLAYBACK_EVENTS: undefined as never }).write([
      event(videoId),
    ]);
    expect(await count()).toBe(1);
    expect(points).toHaveLength(1);
  });
});
