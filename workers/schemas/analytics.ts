import { z } from "@hono/zod-openapi";
import { Id } from "./common";

/** API.md "Creator analytics": what a player reports. */
export const PLAYBACK_EVENT_TYPES = ["start", "heartbeat", "seek", "pause", "end", "rebuffer", "error"] as const;
/** Where a view came from (API.md); `direct` when the player cannot tell. */
export const TRAFFIC_SOURCES = [
  "home",
  "search",
  "recommended",
  "related",
  "subscriptions",
  "channel",
  "playlist",
  "external",
  "direct",
] as const;

/** At most this many events in one batch, and this many bytes of body (API.md). */
export const MAX_PLAYBACK_EVENTS = 100;
export const MAX_PLAYBACK_BODY_BYTES = 64 * 1024;
/** How far an event's `at` may lie from the server's clock: a day back (a batch kept offline), ten minutes ahead (skew). */
export const PLAYBACK_AT_PAST_MS = 24 * 3600_000;
export const PLAYBACK_AT_FUTURE_MS = 10 * 60_000;
/** A position may pass the video's stored duration by this much (the player's and the prober's lengths differ). */
export const POSITION_SLACK_SECONDS = 5;

/** The longest video the platform takes is 4 hours; positions are bounded at twice that before the video's own length is known. */
const Seconds = z
  .number()
  .min(0, "must be 0 or more")
  .max(2 * 86_400);

export const PlaybackEventIn = z
  .object({
    type: z.enum(PLAYBACK_EVENT_TYPES),
    position: Seconds.openapi({ description: "Seconds into the video; for a seek, where it landed" }),
    at: z.iso.datetime({ offset: true, error: "must be an ISO-8601 time" }),
    from: Seconds.optional().openapi({ description: "A seek's starting point, seconds" }),
    startup_ms: z
      .number()
      .min(0)
      .max(10 * 60_000)
      .optional()
      .openapi({ description: "start: from navigation to the first frame" }),
    rebuffer_ms: z
      .number()
      .min(0)
      .max(3600_000)
      .optional()
      .openapi({ description: "rebuffer: how long playback stalled" }),
    rendition: z
      .string()
      .regex(/^[0-9]{2,4}p$/, "must be a height such as 720p")
      .optional(),
    error_code: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be 1-64 letters, digits or _.:-")
      .optional(),
  })
  .superRefine((e, ctx) => {
    const at = Date.parse(e.at);
    const now = Date.now();
    if (at < now - PLAYBACK_AT_PAST_MS || at > now + PLAYBACK_AT_FUTURE_MS) {
      ctx.addIssue({ code: "custom", path: ["at"], message: "must be within the last day (and not in the future)" });
    }
    if (e.type === "seek" && e.from === undefined) {
      ctx.addIssue({ code: "custom", path: ["from"], message: "a seek says where it left from" });
    }
    if (e.type === "rebuffer" && e.rebuffer_ms === undefined) {
      ctx.addIssue({ code: "custom", path: ["rebuffer_ms"], message: "a rebuffer says how long it lasted" });
    }
    if (e.type === "error" && e.error_code === undefined) {
      ctx.addIssue({ code: "custom", path: ["error_code"], message: "an error says which" });
    }
  })
  .openapi("PlaybackEvent");

export const PlaybackBatch = z
  .object({
    session_id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 URL-safe characters (one per playback)")
      .openapi({ example: "3f0b8c1e-7a2d-4c55-9e61-0b2f4a9d7c10" }),
    events: z
      .array(PlaybackEventIn)
      .min(1, "must hold at least one event")
      .max(MAX_PLAYBACK_EVENTS, `must hold at most ${MAX_PLAYBACK_EVENTS} events`),
    source: z.enum(TRAFFIC_SOURCES).optional(),
  })
  .openapi("PlaybackEvents");

export type PlaybackBatch = z.infer<typeof PlaybackBatch>;

// --- The studio's reads (API.md "Creator analytics") ---

const query = (name: string) => ({ param: { name, in: "query" as const } });

/** `from`/`to` default to the last 28 days; a range spans at most 400 days, hourly figures at most 31. */
export const ANALYTICS_DEFAULT_DAYS = 28;
export const ANALYTICS_MAX_DAYS = 400;
export const ANALYTICS_MAX_HOURS = 31 * 24;

const Time = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: "must be an ISO-8601 time or date",
});

export const AnalyticsRangeQuery = z.object({
  from: Time.optional().openapi({
    ...query("from"),
    description: "Inclusive; a date is its midnight UTC. Default: 28 days before `to`",
    example: "2026-11-01T00:00:00Z",
  }),
  to: Time.optional().openapi({
    ...query("to"),
    description: "Exclusive; a date is its midnight UTC. Default: now",
    example: "2026-11-29T00:00:00Z",
  }),
  granularity: z
    .enum(["hour", "day"])
    .default("day")
    .openapi({ ...query("granularity"), description: "The buckets of `views` (hourly ranges span at most 31 days)" }),
});
export type AnalyticsRangeQuery = z.infer<typeof AnalyticsRangeQuery>;

const Count = z.number().min(0).openapi({ description: "Weighted by the sample interval: an estimate when sampled" });
const Share = z.number().min(0).max(1);

const AnalyticsFigures = z.object({
  from: z.string().openapi({ format: "date-time", description: "The range read, inclusive" }),
  to: z.string().openapi({ format: "date-time", description: "Exclusive" }),
  granularity: z.enum(["hour", "day"]),
  sampled: z.boolean().openapi({ description: "Some figures are estimates from sampled events" }),
  totals: z.object({ views: Count, watch_seconds: Count }),
  views: z
    .array(
      z.object({
        t: z.string().openapi({ format: "date-time", description: "The bucket's start (UTC)" }),
        views: Count,
        watch_seconds: Count,
      }),
    )
    .openapi({ description: "Every bucket of the range, oldest first (empty ones with zeros)" }),
  retention: z.array(Share).length(100).openapi({
    description: "retention[i]: the share of started sessions still watching at i percent of the video",
  }),
  average_view_seconds: z.number().min(0),
  sources: z.array(z.object({ source: z.string(), views: Count })),
  regions: z.array(z.object({ region: z.string().openapi({ description: "ISO country; ZZ unknown" }), views: Count })),
  devices: z.array(z.object({ device: z.string(), views: Count })),
  quality: z.object({
    startup_ms_p50: z.number().nullable().openapi({ description: "Within 10 ms; null without a measured startup" }),
    startup_ms_p95: z.number().nullable(),
    rebuffer_ratio: z.number().min(0).openapi({ description: "Rebuffering time over watch time" }),
    error_rate: Share.openapi({ description: "The share of sessions with an error" }),
  }),
});

export const VideoAnalytics = AnalyticsFigures.extend({
  video: z.object({ id: Id, title: z.string(), duration: z.number().nullable() }),
}).openapi("VideoAnalytics");
export type VideoAnalytics = z.infer<typeof VideoAnalytics>;

export const ChannelAnalytics = AnalyticsFigures.extend({
  channel: z.object({ id: Id, name: z.string() }),
  top_videos: z
    .array(
      z.object({
        video_id: Id,
        title: z.string().nullable().openapi({ description: "null for a video deleted since" }),
        views: Count,
        watch_seconds: Count,
      }),
    )
    .openapi({ description: "The channel's 10 most viewed videos in the range" }),
}).openapi("ChannelAnalytics");
export type ChannelAnalytics = z.infer<typeof ChannelAnalytics>;
