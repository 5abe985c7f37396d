import type { JobRequest, Rendition, Storyboard, Thumbnails, TranscoderEvent } from "../../contracts/transcoder";
import type { AuthUser, Database } from "../env";
import { notFound, problem } from "../lib/errors";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import { signScope } from "../lib/signing";
import type { VideoReadyMessage } from "../schemas/processing";
import type { Producer } from "../schemas/queues";
import { cached, cacheKeys } from "../storage/edge-cache";
import { type MediaStore, mediaUrl } from "../storage/media";
import { insertVideoNotification } from "../storage/notifications";
import { listRenditions, type NewRendition } from "../storage/renditions";
import type { SourceInfo, ThumbnailPaths } from "../storage/schema";
import * as jobs from "../storage/transcode-jobs";
import * as store from "../storage/videos";
import { syncMasterPlaylist } from "./captions";
import { learnVideoWords } from "./search";

export interface ProcessingConfig {
  /** Where the transcoder reaches the Worker: local URL in dev, the deployment's in production. */
  publicUrl: string;
  signingSecret: string;
  /** A dispatched job silent this long is dispatched again. */
  stallSeconds: number;
  /** How often the watchdog asks the transcoder about a dispatched job (a lost one goes again at once). */
  checkSeconds: number;
  /** Dispatches before a job is given up as `transcode_failed`. */
  maxAttempts: number;
  segmentSeconds: number;
  maxDurationSeconds: number;
  codec: "h264" | "h265";
  segmentType: "ts" | "fmp4";
}

/**
 * What the transcoder says of a video's job: working on it; `lost` it (it never had it, or
 * it ended without the Worker hearing: the process or Container was restarted); or it did
 * not answer at all.
 */
export type JobState = "running" | "lost" | "unreachable";

/**
 * The one boundary between the Worker and the transcoder (wiring/transcoder.ts: the
 * `Transcoder` Container in production, a Node process at TRANSCODER_URL locally).
 */
export interface TranscoderClient {
  startJob(job: JobRequest): Promise<void>;
  /** Asked by the watchdog: a dead transcoder is noticed in seconds, not after the stall timeout. */
  jobState(videoId: string): Promise<JobState>;
}

export interface ProcessingDeps {
  db: Database;
  media: MediaStore;
  transcoder: TranscoderClient;
  readyQueue: Producer<VideoReadyMessage>;
  /** Schedules the watchdog that re-dispatches a silent job. */
  scheduleWatchdog(videoId: string, delaySeconds: number): Promise<void>;
  /**
   * The video changed: drop its cached answers (spec: "Invalidate CDN cache") and tell its
   * room, so the uploader's page updates without polling.
   */
  changed(videoId: string): Promise<void>;
  /** Processing gave up on the video (the `video.failed` webhook event). */
  failed?(videoId: string, code: string, message: string): Promise<void>;
  config: ProcessingConfig;
}

/** Signed URLs live long enough for the longest job, and no longer. */
const URL_TTL_SECONDS = 12 * 3600;

export async function jobRequest(config: ProcessingConfig, videoId: string): Promise<JobRequest> {
  if (!config.publicUrl) {
    throw new Error("PUBLIC_URL is not set: the transcoder has no way to reach the Worker");
  }
  const base = `${config.publicUrl.replace(/\/$/, "")}/internal/v1/videos/${videoId}`;
  const sign = (scope: string) => signScope(config.signingSecret, videoId, scope, URL_TTL_SECONDS);
  const [source, media, events] = await Promise.all([sign("source"), sign("media"), sign("events")]);
  return {
    video_id: videoId,
    source_url: `${base}/source?${source}`,
    output: { base_url: `${base}/media`, query: media },
    events_url: `${base}/events?${events}`,
    settings: {
      segment_seconds: config.segmentSeconds,
      max_duration_seconds: config.maxDurationSeconds,
      codec: config.codec,
      segment_type: config.segmentType,
    },
  };
}

export type Outcome = { ack: true } | { retryAfterSeconds: number; error: string };

const backoff = (attempts: number) => Math.min(600, 10 * 2 ** Math.max(0, attempts - 1));

/**
 * A `video-upload` delivery: start (or restart) the job unless it is running, finished or
 * the video is gone. Safe to call for every redelivery.
 */
export async function startProcessing(
  deps: ProcessingDeps,
  videoId: string,
  sourceKey: string,
  now = new Date(),
): Promise<Outcome> {
  const video = await store.findVideo(deps.db, videoId);
  if (video?.status !== "processing") return { ack: true };
  const existing = await jobs.findJob(deps.db, videoId);
  if (existing && (existing.state === "completed" || existing.state === "failed")) return { ack: true };
  if (existing?.state === "dispatched" && !isStalled(existing, deps.config, now)) return { ack: true };
  const job = await jobs.recordDelivery(deps.db, videoId, sourceKey, now);
  return dispatch(deps, videoId, job.attempts, now);
}

function isStalled(job: { dispatchedAt: Date | null; lastEventAt: Date | null }, config: ProcessingConfig, now: Date) {
  const lastSign = Math.max(job.dispatchedAt?.getTime() ?? 0, job.lastEventAt?.getTime() ?? 0);
  return now.getTime() - lastSign > config.stallSeconds * 1000;
}

async function dispatch(deps: ProcessingDeps, videoId: string, attempts: number, now: Date): Promise<Outcome> {
  if (attempts > deps.config.maxAttempts) {
    await failProcessing(deps, videoId, "transcode_failed", `Processing failed after ${attempts - 1} attempts.`, now);
    return { ack: true };
  }
  try {
    await deps.transcoder.startJob(await jobRequest(deps.config, videoId));
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    await jobs.noteJobError(deps.db, videoId, error, now);
    return { retryAfterSeconds: backoff(attempts), error };
  }
  await jobs.markDispatched(deps.db, videoId, now);
  await deps.scheduleWatchdog(videoId, Math.min(deps.config.checkSeconds, deps.config.stallSeconds));
  return { ack: true };
}

/** A transcoder that does not answer is asked again this soon (a restarting one is back in seconds). */
const UNREACHABLE_RECHECK_SECONDS = 3;

/**
 * The watchdog, every `checkSeconds` while a job is dispatched. A job its transcoder has lost
 * (the process or Container died and came back without it) is dispatched again at once; one
 * that has said nothing for `stallSeconds` (a transcoder that hangs) likewise. Outputs go to
 * the same paths, so one set remains.
 */
export async function checkJob(deps: ProcessingDeps, videoId: string, now = new Date()): Promise<Outcome> {
  // Asked before the job is read: an event the transcoder sent before answering is then stored.
  const state = await deps.transcoder.jobState(videoId);
  const [video, job] = await Promise.all([store.findVideo(deps.db, videoId), jobs.findJob(deps.db, videoId)]);
  if (video?.status !== "processing" || !job || job.state === "completed" || job.state === "failed")
    return { ack: true };
  if (job.state === "dispatched" && state !== "lost" && !isStalled(job, deps.config, now)) {
    const quietFor = now.getTime() - Math.max(job.dispatchedAt?.getTime() ?? 0, job.lastEventAt?.getTime() ?? 0);
    const untilStalled = deps.config.stallSeconds - Math.floor(quietFor / 1000);
    const next = state === "unreachable" ? UNREACHABLE_RECHECK_SECONDS : deps.config.checkSeconds;
    await deps.scheduleWatchdog(videoId, Math.max(1, Math.min(next, untilStalled)));
    return { ack: true };
  }
  if (state === "lost") {
    log("warn", "transcoder lost the job; dispatching again", { video_id: videoId });
  }
  const again = await jobs.recordDelivery(deps.db, videoId, job.sourceKey, now);
  return dispatch(deps, videoId, again.attempts, now);
}

/** Ends a job as failed with `code`: the video says why and its partial outputs go. */
export async function failProcessing(
  deps: ProcessingDeps,
  videoId: string,
  code: string,
  message: string,
  now = new Date(),
) {
  if (await store.recordFailed(deps.db, videoId, code, message, now)) {
    await deps.media.deleteMedia(videoId);
    await deps.changed(videoId);
    await deps.failed?.(videoId, code, message);
  }
}

const renditionOf = (r: Rendition): NewRendition => ({
  name: r.name,
  width: r.width,
  height: r.height,
  bandwidth: r.bandwidth,
  averageBandwidth: r.average_bandwidth ?? null,
  codecs: r.codecs,
  frameRate: r.frame_rate ?? null,
  playlist: r.playlist,
});

function probeOf(metadata: Extract<TranscoderEvent, { type: "probed" }>["metadata"]) {
  const info: SourceInfo = {
    codec: metadata.codec,
    bitrate: metadata.bitrate,
    frame_rate: metadata.frame_rate,
    has_audio: metadata.has_audio,
    rotation: metadata.rotation,
  };
  return { duration: metadata.duration, width: metadata.width, height: metadata.height, info };
}

function thumbnailsOf(thumbnails?: Thumbnails, storyboard?: Storyboard): ThumbnailPaths | undefined {
  if (!thumbnails) return undefined;
  const { default: first, small, medium, large, scrub, inline } = thumbnails;
  return { default: first, small, medium, large, scrub, inline, ...(storyboard ? { storyboard } : {}) };
}

/** Applies one event from the transcoder (the spec's steps 7 to 9 on `completed`). */
export async function applyEvent(deps: ProcessingDeps, videoId: string, event: TranscoderEvent, now = new Date()) {
  const video = await store.findVideo(deps.db, videoId);
  if (!video) throw notFound("Video");
  // Events after the end (a late duplicate from a restarted job) change nothing.
  if (video.status !== "processing") return;
  switch (event.type) {
    case "progress":
      await store.recordProgress(deps.db, videoId, event.stage, event.progress, now);
      break;
    case "probed":
      await store.recordProbe(deps.db, videoId, probeOf(event.metadata), now);
      break;
    case "rendition_ready":
      await store.recordRendition(deps.db, videoId, renditionOf(event.rendition), now);
      break;
    case "thumbnails_ready":
      await store.recordThumbnails(deps.db, videoId, thumbnailsOf(event.thumbnails, event.storyboard) ?? {}, now);
      break;
    case "completed": {
      const first = await store.recordCompleted(
        deps.db,
        videoId,
        {
          renditions: event.renditions.map(renditionOf),
          thumbnails: thumbnailsOf(event.thumbnails, event.storyboard),
          probe: event.metadata ? probeOf(event.metadata) : undefined,
        },
        now,
      );
      if (first) {
        // Searchable from this write on: typos of its words are corrected from now, too.
        await learnVideoWords(deps.db, videoId);
        // Captions sent while it processed: the transcoder's final master does not know them.
        await syncMasterPlaylist(deps, videoId);
        await deps.changed(videoId);
        const thumbnail = thumbnailsOf(event.thumbnails)?.default;
        await deps.readyQueue.send({
          video_id: videoId,
          owner_id: video.ownerId,
          status: "ready",
          title: video.title,
          urls: {
            hls: mediaUrl("", videoId, "master.m3u8"),
            ...(thumbnail ? { thumbnail: mediaUrl("", videoId, thumbnail) } : {}),
          },
        });
      }
      return;
    }
    case "failed":
      await failProcessing(deps, videoId, event.code, event.message, now);
      return;
    default: {
      const unreachable: never = event;
      throw problem("validation_failed", { detail: String(unreachable) });
    }
  }
  await deps.changed(videoId);
}

/** The processing status a client polls (spec: Processing Status Updates). */
export async function statusOf(db: Database, videoId: string) {
  const video = await store.findVideo(db, videoId);
  if (!video) return undefined;
  const ready = video.status === "processing" || video.status === "ready" ? await listRenditions(db, videoId) : [];
  return {
    owner_id: video.ownerId,
    visibility: video.visibility,
    body: {
      video_id: video.id,
      status: video.status,
      progress: video.status === "ready" ? 100 : video.progress,
      ...(video.stage && video.status === "processing" ? { stage: video.stage } : {}),
      renditions_ready: ready.map((r) => r.name),
      playable: video.playable && ready.length > 0,
      ...(video.status === "failed" && video.errorCode
        ? { error: { code: video.errorCode, message: video.errorMessage ?? "" } }
        : {}),
    },
  };
}

/** How long a status answer may be served from the cache; every change purges it at once. */
const STATUS_CACHE_SECONDS = 60;

/**
 * GET /api/v1/videos/{id}/status, read through the edge cache. A private video's status is its
 * owner's alone; others learn nothing, not even that it exists.
 */
export async function publicStatus(
  db: Database,
  videoId: string,
  viewer: AuthUser | undefined,
  waitUntil: (promise: Promise<unknown>) => void,
) {
  const status = await cached(cacheKeys.status(videoId), STATUS_CACHE_SECONDS, () => statusOf(db, videoId), {
    waitUntil,
  });
  if (!status) throw notFound("Video");
  if (status.visibility === "private" && status.owner_id !== viewer?.id) throw notFound("Video");
  return status.body;
}

/** `video-ready` consumer's work: the owner's "Your video is ready!" (spec: Notification Service). */
export async function notifyReady(db: Database, message: VideoReadyMessage) {
  await insertVideoNotification(db, {
    id: newId(),
    userId: message.owner_id,
    type: "video_ready",
    videoId: message.video_id,
    message: "Your video is ready!",
  });
}
