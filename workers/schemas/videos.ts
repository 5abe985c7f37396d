import { z } from "@hono/zod-openapi";
import { CaptionTrack, LanguageTag } from "./captions";
import { Id, limitParam, Timestamp } from "./common";

const Url = z.string().nullable();

export const VideoOut = z
  .object({
    id: Id,
    title: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    category: z.string().nullable(),
    visibility: z.enum(["public", "unlisted", "private"]),
    status: z.enum(["uploading", "processing", "ready", "failed"]),
    playable: z.boolean(),
    channel: z.object({ id: Id, name: z.string(), verified: z.boolean() }),
    duration: z.number().nullable().openapi({ description: "Seconds" }),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    hls_url: Url.openapi({ description: "Master playlist; for a private video's owner it carries a playback token" }),
    thumbnails: z.object({
      default: Url,
      small: Url,
      medium: Url,
      large: Url,
      scrub: z.array(z.string()),
      storyboard: z.object({ image: Url, vtt: Url }).nullable(),
    }),
    renditions: z.array(
      z.object({
        name: z.string(),
        width: z.number().int(),
        height: z.number().int(),
        bandwidth: z.number().int(),
        codecs: z.string(),
      }),
    ),
    view_count: z.number().int(),
    like_count: z.number().int(),
    dislike_count: z.number().int(),
    comment_count: z.number().int(),
    share_count: z.number().int(),
    created_at: Timestamp,
    published_at: Timestamp.nullable(),
    resume_position: z.number().nullable().openapi({ description: "The viewer's resume point in seconds" }),
    language: z.string().nullable().openapi({ description: "What is spoken, a BCP 47 tag" }),
    captions: z.array(CaptionTrack).openapi({ description: "The caption tracks (as GET .../captions lists them)" }),
    blocked: z
      .object({ reason: z.string(), at: Timestamp })
      .optional()
      .openapi({ description: "Present for the owner of a video a moderator blocked (everyone else gets 451)" }),
  })
  .openapi("Video");

export const VideoEditBody = z
  .object({
    title: z.string().trim().min(1).max(100),
    description: z.string().max(5000),
    tags: z.array(z.string().trim().min(1).max(30)).max(15),
    category: z.string().trim().min(1).max(50).nullable(),
    visibility: z.enum(["public", "unlisted", "private"]),
    language: LanguageTag.nullable(),
  })
  .partial()
  .strict()
  .openapi("VideoEdit");

/**
 * A video in a list (API.md "Video summary"): search, trending, recommendations, related,
 * channel videos, history. Lists add their own fields (`highlight`, `reason`, ...) beside it.
 */
export const VideoSummary = z
  .object({
    id: Id,
    title: z.string(),
    description: z.string().openapi({ description: "The first 200 characters at most" }),
    tags: z.array(z.string()),
    category: z.string().nullable(),
    duration: z.number().nullable().openapi({ description: "Seconds" }),
    thumbnail: z.string().nullable(),
    channel: z.object({ id: Id, name: z.string(), verified: z.boolean() }),
    view_count: z.number().int(),
    like_count: z.number().int(),
    published_at: Timestamp.nullable(),
  })
  .openapi("VideoSummary");
export type VideoSummary = z.infer<typeof VideoSummary>;

/** History lists the viewer's own unlisted and private videos too, so it says which they are. */
export const HistoryVideo = VideoSummary.extend({
  thumbnail_url: z.string().nullable().openapi({ description: "Same as `thumbnail` (kept for older clients)" }),
  visibility: z.enum(["public", "unlisted", "private"]),
  status: z.enum(["uploading", "processing", "ready", "failed"]),
  created_at: Timestamp,
}).openapi("HistoryVideo");

export const WatchPositionBody = z
  .object({
    position: z
      .number()
      .min(0)
      .max(86_400 * 2),
    duration: z
      .number()
      .positive()
      .max(86_400 * 2),
    /**
     * Where this player's previous report was, in seconds: what an anonymous viewer watched is
     * counted from it (a signed-in viewer's comes from their history). Without it, a report
     * stands for at most 10 s of watching.
     */
    from: z
      .number()
      .min(0)
      .max(86_400 * 2)
      .optional(),
  })
  .refine((b) => b.position <= b.duration + 1, { message: "must not be past the end of the video", path: ["position"] })
  .openapi("WatchPosition");

export const LikeBody = z.object({ value: z.union([z.literal(1), z.literal(-1), z.literal(0)]) }).openapi("LikeBody");

export const LikeOut = z
  .object({ like_count: z.number().int(), dislike_count: z.number().int(), value: z.number().int() })
  .openapi("LikeResult");

export const HistoryItem = z
  .object({
    video: HistoryVideo,
    position: z.number(),
    duration: z.number(),
    percent: z.number(),
    watched_at: Timestamp,
  })
  .openapi("HistoryItem");

export const HistoryList = z
  .object({ items: z.array(HistoryItem), limit: z.number().int(), next_cursor: z.string().nullable() })
  .openapi("HistoryList");

export const HistoryQuery = z.object({
  limit: limitParam(50),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: "cursor", in: "query" } }),
});

export const HistoryDeleteQuery = z.object({
  video_id: Id.optional().openapi({ param: { name: "video_id", in: "query" } }),
});

export const PausedBody = z.object({ paused: z.boolean() }).openapi("HistoryPaused");

/** The `watch-events` queue message (spec: Kafka watch_events). */
export const WatchEventMessage = z.object({
  id: Id,
  type: z.enum(["watch", "like", "share", "comment"]),
  video_id: Id,
  viewer: z.string().max(80),
  /** Seconds watched since the viewer's previous report. */
  watched_seconds: z.number().min(0).max(3600).default(0),
  /** This report counted a view. */
  view: z.boolean().default(false),
  likes: z.number().int().min(-1).max(1).default(0),
  /** The viewer's country (`request.cf.country`), `ZZ` when unknown: regional trending and co-views. */
  region: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .default("ZZ"),
  at: z.number().int(),
});
export type WatchEventMessage = z.infer<typeof WatchEventMessage>;
