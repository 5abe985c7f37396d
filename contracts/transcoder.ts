/**
 * The contract between the Worker and the transcoder, the one copy both sides import: the
 * job the Worker POSTs to the transcoder's `/jobs`, and every event the transcoder POSTs
 * back to the job's signed events URL. Plain zod, no Node or Workers imports, so the Worker
 * (bundled by wrangler) and the transcoder (Node, types stripped) load the same file.
 */
import { z } from "zod";
import { ID_PATTERN } from "./ids.ts";

const VideoId = z.string().regex(ID_PATTERN);

/** What the Worker asks of the transcoder: `POST /jobs`. URLs are signed and short-lived. */
export const JobRequest = z.object({
  video_id: VideoId,
  /** GET: the uploaded original. */
  source_url: z.url(),
  /** PUT `${base_url}/${path}?${query}` for each output; DELETE `${base_url}?${query}` clears them. */
  output: z.object({ base_url: z.url(), query: z.string().max(2000) }),
  /** POST: one JSON event (below). */
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
      /** fMP4 (CMAF: init.mp4 + .m4s) by default; MPEG-TS stays a choice (videos stored as TS keep playing). */
      segment_type: z.enum(["ts", "fmp4"]).default("fmp4"),
    })
    .prefault({}),
});
export type JobRequest = z.infer<typeof JobRequest>;
export type JobSettings = JobRequest["settings"];

/**
 * What the transcoder answers to `GET /jobs/:video_id` (404 when it has no such job, as a
 * restarted process or a fresh Container instance has none): the Worker's watchdog asks.
 */
export const JobStatus = z.object({
  job_id: z.string(),
  video_id: VideoId,
  started_at: z.string(),
  /** The job ended (its last event was sent). */
  done: z.boolean(),
});
export type JobStatus = z.infer<typeof JobStatus>;

/**
 * Where a job is. `queued` is the Worker's own (set when the upload completes); the
 * transcoder reports the others.
 */
export const STAGES = ["queued", "probing", "transcoding", "thumbnails", "publishing"] as const;
export type Stage = (typeof STAGES)[number];

/** Why a job failed, as the uploader is told. */
export const FAILURE_CODES = ["non_video", "malformed_video", "duration_too_long", "transcode_failed"] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

/** What the probe found in the source. */
export const Metadata = z.object({
  /** Seconds. */
  duration: z.number().nonnegative(),
  /** As displayed (after rotation). */
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  codec: z.string().max(50),
  /** Bits per second; 0 when unknown. */
  bitrate: z.number().nonnegative(),
  frame_rate: z.number().nonnegative(),
  has_audio: z.boolean(),
  rotation: z.number(),
});
export type Metadata = z.infer<typeof Metadata>;

/**
 * Metadata as the Worker accepts it: the picture's size and length are what it needs; the
 * rest describes the source and may be missing.
 */
const ReportedMetadata = Metadata.partial({
  codec: true,
  bitrate: true,
  frame_rate: true,
  has_audio: true,
  rotation: true,
});

const MediaPath = z.string().max(200);

/** A finished rendition (the audio-only one has width and height 0 and no frame rate). */
export const Rendition = z.object({
  name: z.string().regex(/^[a-z0-9_-]{1,20}$/),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  /** Peak bits per second, as the master playlist's BANDWIDTH. */
  bandwidth: z.number().int().positive(),
  average_bandwidth: z.number().int().positive().optional(),
  /** RFC 6381 CODECS. */
  codecs: z.string().max(100),
  frame_rate: z.number().positive().optional(),
  /** The rendition's media playlist, relative to the video's media. */
  playlist: MediaPath,
});
export type Rendition = z.infer<typeof Rendition>;

/** Thumbnail paths relative to the video's media; `scrub` are frames through the video. */
export const Thumbnails = z.object({
  default: MediaPath.optional(),
  small: MediaPath.optional(),
  medium: MediaPath.optional(),
  large: MediaPath.optional(),
  scrub: z.array(MediaPath).max(10).optional(),
  /**
   * A small first frame (160 px wide) as a data: URI, which the watch page shows inline while
   * its player loads (no request for it).
   */
  inline: z
    .string()
    .max(12_000)
    .regex(/^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/)
    .optional(),
});
export type Thumbnails = z.infer<typeof Thumbnails>;

/** The scrubbing sprite and its WebVTT cues. */
export const Storyboard = z.object({ image: MediaPath, vtt: MediaPath });
export type Storyboard = z.infer<typeof Storyboard>;

/** Everything the transcoder reports about a job, one POST per event. */
export const TranscoderEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("progress"), stage: z.enum(STAGES), progress: z.number().min(0).max(100) }),
  z.object({ type: z.literal("probed"), metadata: ReportedMetadata }),
  /** A rendition is stored and listed in the master playlist: the video can play. */
  z.object({ type: z.literal("rendition_ready"), rendition: Rendition, master_updated: z.boolean().optional() }),
  z.object({ type: z.literal("thumbnails_ready"), thumbnails: Thumbnails, storyboard: Storyboard.optional() }),
  z.object({
    type: z.literal("completed"),
    metadata: ReportedMetadata.optional(),
    renditions: z.array(Rendition).max(20),
    thumbnails: Thumbnails.optional(),
    storyboard: Storyboard.optional(),
  }),
  z.object({ type: z.literal("failed"), code: z.enum(FAILURE_CODES), message: z.string().max(1000) }),
]);
export type TranscoderEvent = z.infer<typeof TranscoderEvent>;
