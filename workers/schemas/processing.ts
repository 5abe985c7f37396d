import { z } from "@hono/zod-openapi";
import { Id } from "./common";

/** What the Worker asks of the transcoder: `POST /jobs` (docs/transcoder.md). */
export interface TranscodeJobRequest {
  video_id: string;
  source_url: string;
  output: { base_url: string; query: string };
  events_url: string;
  settings?: {
    segment_seconds?: number;
    max_duration_seconds?: number;
    codec?: "h264" | "h265";
    segment_type?: "ts" | "fmp4";
  };
}

const RenditionIn = z.object({
  name: z.string().regex(/^[a-z0-9_-]{1,20}$/),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  bandwidth: z.number().int().positive(),
  average_bandwidth: z.number().int().positive().optional(),
  codecs: z.string().max(100),
  frame_rate: z.number().positive().optional(),
  playlist: z.string().max(200),
});

const Metadata = z.object({
  duration: z.number().nonnegative(),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  codec: z.string().max(50).optional(),
  bitrate: z.number().nonnegative().optional(),
  frame_rate: z.number().nonnegative().optional(),
  has_audio: z.boolean().optional(),
  rotation: z.number().optional(),
});

const path = z.string().max(200);
const Thumbnails = z
  .object({
    default: path.optional(),
    small: path.optional(),
    medium: path.optional(),
    large: path.optional(),
    scrub: z.array(path).max(10).optional(),
  })
  .catchall(z.unknown());
const Storyboard = z.object({ image: path, vtt: path }).partial().catchall(z.unknown());

export const STAGES = ["queued", "probing", "transcoding", "thumbnails", "publishing"] as const;
export const ERROR_CODES = ["non_video", "malformed_video", "duration_too_long", "transcode_failed"] as const;

/** Events the transcoder POSTs to the signed events URL. */
export const TranscoderEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("progress"), stage: z.enum(STAGES), progress: z.number().min(0).max(100) }),
  z.object({ type: z.literal("probed"), metadata: Metadata }),
  z.object({ type: z.literal("rendition_ready"), rendition: RenditionIn, master_updated: z.boolean().optional() }),
  z.object({ type: z.literal("thumbnails_ready"), thumbnails: Thumbnails, storyboard: Storyboard.optional() }),
  z.object({
    type: z.literal("completed"),
    metadata: Metadata.optional(),
    renditions: z.array(RenditionIn).max(20),
    thumbnails: Thumbnails.optional(),
    storyboard: Storyboard.optional(),
  }),
  z.object({ type: z.literal("failed"), code: z.enum(ERROR_CODES), message: z.string().max(1000) }),
]);
export type TranscoderEvent = z.infer<typeof TranscoderEvent>;
export type RenditionIn = z.infer<typeof RenditionIn>;

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

/** The `video-ready` queue message (seed: "Kafka Topic: video-ready"). */
export const VideoReadyMessage = z.object({
  video_id: Id,
  owner_id: Id,
  status: z.literal("ready"),
  title: z.string(),
  urls: z.object({ hls: z.string(), thumbnail: z.string().optional() }),
});
export type VideoReadyMessage = z.infer<typeof VideoReadyMessage>;
