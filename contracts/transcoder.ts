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

// Transcription (auto captions, issue 21). Separate from jobs: a short synchronous call made
// by the Worker's `captions` queue consumer for a video that is already processed.

/** A word and when it is said, in seconds from the start of the video. */
export const TranscriptWord = z.object({
  text: z.string().max(200),
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
});
export type TranscriptWord = z.infer<typeof TranscriptWord>;

/** One utterance (between pauses), with its words. */
export const TranscriptSegment = z.object({
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
  text: z.string().max(10_000),
  words: z.array(TranscriptWord).max(5_000),
});
export type TranscriptSegment = z.infer<typeof TranscriptSegment>;

/**
 * `GET /transcripts`: what this transcoder can do. `engine` is its local speech recogniser
 * (Debian's pocketsphinx, looked for once at start; null without it) and the languages its
 * models cover; `chunks` (splitting audio at silences for a remote model) needs ffmpeg alone.
 */
export const TranscriberInfo = z.object({
  engine: z.string().nullable(),
  languages: z.array(z.string().max(35)).max(100),
  chunks: z.boolean(),
});
export type TranscriberInfo = z.infer<typeof TranscriberInfo>;

/** The longest audio chunk Whisper takes in one window. */
export const MAX_CHUNK_SECONDS = 30;

/**
 * `POST /transcripts` (answered when done, 200 with a `TranscribeResult`): the audio of the
 * video at `source_url`, either transcribed by the local engine (`words`), or cut at silences
 * into chunks of at most `max_chunk_seconds` of 16 kHz mono WAV, each PUT to
 * `${output.base_url}/${path}?${output.query}` (`chunks`), for Workers AI Whisper.
 * 503 `captions_unavailable` when the local engine is missing or does not know the language.
 */
export const TranscribeRequest = z.object({
  video_id: VideoId,
  source_url: z.url(),
  /** BCP 47. */
  language: z.string().min(1).max(35),
  mode: z.enum(["words", "chunks"]),
  output: z.object({ base_url: z.url(), query: z.string().max(2000) }).optional(),
  max_chunk_seconds: z.number().min(5).max(MAX_CHUNK_SECONDS).default(MAX_CHUNK_SECONDS),
});
export type TranscribeRequest = z.input<typeof TranscribeRequest>;

/** Where one chunk is (relative to `output`) and where it starts in the video (seconds). */
export const AudioChunk = z.object({
  path: z.string().regex(/^chunk_\d{5}\.wav$/),
  start: z.number().nonnegative(),
  duration: z
    .number()
    .positive()
    .max(MAX_CHUNK_SECONDS + 1),
});
export type AudioChunk = z.infer<typeof AudioChunk>;

export const TranscribeResult = z.object({
  /** Seconds of audio (0 when the video has no sound track). */
  duration: z.number().nonnegative(),
  segments: z.array(TranscriptSegment).max(100_000).optional(),
  chunks: z.array(AudioChunk).max(100_000).optional(),
});
export type TranscribeResult = z.infer<typeof TranscribeResult>;
