// The contract between the Worker and the transcoder (docs/transcoder.md). No Node imports
// here: the shapes are the Worker's too (workers/schemas/processing.ts mirrors them).
import { z } from "zod";

export const JobRequest = z.object({
  video_id: z.string().regex(/^[0-9A-Za-z_-]{1,32}$/),
  source_url: z.url(),
  output: z.object({ base_url: z.url(), query: z.string().max(2000) }),
  events_url: z.url(),
  settings: z
    .object({
      segment_seconds: z.number().int().min(2).max(20).default(6),
      max_duration_seconds: z
        .number()
        .int()
        .positive()
        .default(4 * 3600),
      codec: z.enum(["h264", "h265"]).default("h264"),
      segment_type: z.enum(["ts", "fmp4"]).default("ts"),
    })
    .prefault({}),
});
export type JobRequest = z.infer<typeof JobRequest>;
export type JobSettings = JobRequest["settings"];

export type Stage = "probing" | "transcoding" | "thumbnails" | "publishing";
export type FailureCode = "non_video" | "malformed_video" | "duration_too_long" | "transcode_failed";

export interface Metadata {
  duration: number;
  width: number;
  height: number;
  codec: string;
  bitrate: number;
  frame_rate: number;
  has_audio: boolean;
  rotation: number;
}

export interface RenditionOut {
  name: string;
  width: number;
  height: number;
  bandwidth: number;
  average_bandwidth: number;
  codecs: string;
  /** Absent for the audio-only rendition. */
  frame_rate?: number;
  playlist: string;
}

export interface Thumbnails {
  default: string;
  small: string;
  medium: string;
  large: string;
  scrub: string[];
}

export type JobEvent =
  | { type: "progress"; stage: Stage; progress: number }
  | { type: "probed"; metadata: Metadata }
  | { type: "rendition_ready"; rendition: RenditionOut; master_updated: true }
  | { type: "thumbnails_ready"; thumbnails: Thumbnails; storyboard: { image: string; vtt: string } }
  | {
      type: "completed";
      metadata: Metadata;
      renditions: RenditionOut[];
      thumbnails: Thumbnails;
      storyboard: { image: string; vtt: string };
    }
  | { type: "failed"; code: FailureCode; message: string };

/** A failure with the code the Worker shows to the uploader. */
export class JobFailure extends Error {
  readonly code: FailureCode;
  constructor(code: FailureCode, message: string) {
    super(message);
    this.code = code;
  }
}
