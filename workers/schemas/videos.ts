import { z } from "@hono/zod-openapi";
import { Id, Timestamp } from "./common";

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
      z.object({ name: z.string(), width: z.number().int(), height: z.number().int(), bandwidth: z.number().int(), codecs: z.string() }),
    ),
    view_count: z.number().int(),
    like_count: z.number().int(),
    dislike_count: z.number().int(),
    comment_count: z.number().int(),
    share_count: z.number().int(),
    created_at: Timestamp,
    published_at: Timestamp.nullable(),
    resume_position: z.number().nullable().openapi({ description: "The viewer's resume point in seconds" }),
  })
  .openapi("Video");

export const VideoEditBody = z
  .object({
    title: z.string().trim().min(1).max(100),
    description: z.string().max(5000),
    tags: z.array(z.string().trim().min(1).max(30)).max(15),
    category: z.string().trim().min(1).max(50).nullable(),
    visibility: z.enum(["public", "unlisted", "private"]),
  })
  .partial()
  .strict()
  .openapi("VideoEdit");
