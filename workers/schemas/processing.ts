import { z } from "@hono/zod-openapi";
import { Id } from "./common";

// The transcoder contract (job and events) is contracts/transcoder.ts, shared with transcoder/.

export const VideoParams = z.object({ video_id: Id.openapi({ param: { name: "video_id", in: "path" } }) });

export const StatusOut = z
  .object({
    video_id: Id,
    status: z.enum(["uploading", "processing", "ready", "failed"]),
    progress: z.number().int().min(0).max(100),
    stage: z.string().optional(),
    renditions_ready: z.array(z.string()),
    playable: z.boolean(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi("VideoStatus");

/** The `video-ready` queue message (spec: "Kafka Topic: video-ready"). */
export const VideoReadyMessage = z.object({
  video_id: Id,
  owner_id: Id,
  status: z.literal("ready"),
  title: z.string(),
  urls: z.object({ hls: z.string(), thumbnail: z.string().optional() }),
});
export type VideoReadyMessage = z.infer<typeof VideoReadyMessage>;

/** The `video-index` queue message: re-read this video and bring its content vector in line. */
export const VideoIndexMessage = z.object({ video_id: Id });
export type VideoIndexMessage = z.infer<typeof VideoIndexMessage>;
