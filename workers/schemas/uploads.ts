import { z } from "@hono/zod-openapi";
import { LanguageTag } from "./captions";
import { Id, Timestamp } from "./common";

export const InitiateBody = z
  .object({
    filename: z.string().trim().min(1).max(255),
    size: z.number().int().positive().openapi({ description: "Bytes", example: 20971520 }),
    content_type: z.string().trim().min(1).max(127).openapi({ example: "video/mp4" }),
    title: z.string().trim().min(1).max(100),
    description: z.string().max(5000).optional(),
    tags: z.array(z.string().trim().min(1).max(30)).max(15).optional(),
    category: z.string().trim().min(1).max(50).optional(),
    visibility: z.enum(["public", "unlisted", "private"]).optional(),
    language: LanguageTag.optional(),
  })
  .openapi("InitiateUploadBody");

export const InitiateResult = z
  .object({
    upload_id: Id,
    video_id: Id,
    part_size: z.number().int(),
    part_count: z.number().int(),
    expires_at: Timestamp,
    part_urls: z.array(z.url()).optional(),
  })
  .openapi("InitiateUploadResult");

export const UploadParams = z.object({ upload_id: Id.openapi({ param: { name: "upload_id", in: "path" } }) });

export const PartQuery = z.object({
  part: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .openapi({ param: { name: "part", in: "query" }, example: 1 }),
});

export const PartOut = z
  .object({ part: z.number().int(), size: z.number().int(), etag: z.string() })
  .openapi("UploadPart");

export const UploadState = z
  .object({
    upload_id: Id,
    video_id: Id,
    status: z.enum(["open", "completing", "completed", "aborted"]),
    size: z.number().int(),
    part_size: z.number().int(),
    part_count: z.number().int(),
    parts: z.array(PartOut),
    received_bytes: z.number().int(),
    expires_at: Timestamp,
  })
  .openapi("UploadState");

export const CompleteResult = z
  .object({ video_id: Id, status: z.literal("processing") })
  .openapi("CompleteUploadResult");

/** The `video-upload` queue message (spec: "Publish to Kafka topic video-upload"). */
export const VideoUploadMessage = z.object({
  video_id: Id,
  source_key: z.string(),
  metadata: z.object({
    filename: z.string(),
    content_type: z.string(),
    size: z.number().int(),
    owner_id: Id,
    title: z.string(),
  }),
});
export type VideoUploadMessage = z.infer<typeof VideoUploadMessage>;

/** The watchdog that follows a dispatched job on the same queue. */
export const WatchdogMessage = z.object({ kind: z.literal("watchdog"), video_id: Id });

/** Everything the `video-upload` queue carries. */
export const VideoJobMessage = z.union([WatchdogMessage, VideoUploadMessage]);
export type VideoJobMessage = z.infer<typeof VideoJobMessage>;
