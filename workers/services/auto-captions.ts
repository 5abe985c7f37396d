import type { AuthUser } from "../env";
import { problem, validationFailed } from "../lib/errors";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import type { CaptionJobMessage } from "../schemas/captions";
import type { Producer } from "../schemas/queues";
import * as store from "../storage/captions";
import { mediaUrl } from "../storage/media";
import { insertVideoNotification } from "../storage/notifications";
import { findVideo } from "../storage/videos";
import { type Transcriber, TranscriberUnavailable, wordsOf } from "../transcribers/transcriber";
import { toWebVtt } from "./caption-files";
import {
  afterChange,
  type CaptionDeps,
  canonicalLanguage,
  languageName,
  ownedVideo,
  revOf,
  storeTrackFiles,
  trackDir,
  trackPath,
} from "./captions";
import { layoutCues } from "./cue-layout";

/**
 * Auto captions (API.md "Captions and transcripts", issue 21): a track the platform
 * transcribes, queued on request (`POST /videos/{id}/captions/generate`) or when a video
 * becomes ready with `AUTO_CAPTIONS=true`, and transcribed by the `captions` queue's
 * consumer. Its row says `processing`, then `ready` (stored as uploaded captions are: WebVTT
 * and HLS subtitles in R2, the master's subtitles group, cues in the transcript index) or
 * `failed`. An uploaded track is never replaced by an auto one: asking for one where a file
 * was uploaded is 409 `captions_exist`, and an upload that lands while the transcription runs
 * wins.
 */
export interface AutoCaptionDeps extends CaptionDeps {
  /** The engine for a video (the production one runs on that video's transcoder instance). */
  transcriber(videoId: string): Transcriber;
  queue: Producer<CaptionJobMessage>;
  /** The video's live room hears the track's progress (a courtesy: failures are logged). */
  announce(videoId: string, language: string, status: "processing" | "ready" | "failed"): Promise<void>;
  /** Where the track's WebVTT is served (PUBLIC_URL's origin): the webhook event names it. */
  origin: string;
  config: CaptionDeps["config"] & { autoCaptions: boolean };
}

const unavailable = (detail: string) => problem("captions_unavailable", { detail });

/** Marks the track `processing` and queues its transcription; false when an uploaded track holds the language. */
async function queueTrack(deps: AutoCaptionDeps, videoId: string, language: string, now: Date): Promise<boolean> {
  const { row, before } = await store.markAutoProcessing(deps.db, videoId, language, languageName(language), now);
  if (row?.source !== "auto") return false;
  // An earlier version was being served: the master stops offering it until the new one is ready.
  if (before?.status === "ready") await afterChange(deps, videoId);
  else await deps.changed(videoId, []);
  await deps.queue.send({ video_id: videoId, language });
  await announce(deps, videoId, language, "processing");
  return true;
}

async function announce(
  deps: AutoCaptionDeps,
  videoId: string,
  language: string,
  status: "processing" | "ready" | "failed",
) {
  await deps
    .announce(videoId, language, status)
    .catch((err: unknown) => log("warn", "room captions relay failed", { video_id: videoId, error: String(err) }));
}

/**
 * POST /videos/{id}/captions/generate (owner): 202 once the track is `processing` and its job
 * queued. The language is the one asked for (BCP 47) or the video's own. 503
 * `captions_unavailable` where no engine can transcribe that language; 409 `not_ready` for a
 * video still processing, `captions_exist` where a file was uploaded for the language. Asking
 * again while it runs changes nothing (the consumer does the work once).
 */
export async function requestAutoCaptions(
  deps: AutoCaptionDeps,
  user: AuthUser,
  videoId: string,
  languageTag: string | undefined,
  now = new Date(),
): Promise<void> {
  const video = await ownedVideo(deps.db, user, videoId);
  const language = languageTag ? canonicalLanguage(languageTag) : video.language;
  if (!language) {
    throw validationFailed([{ name: "language", reason: "the video has no language: name the one to transcribe" }]);
  }
  const reason = await deps.transcriber(videoId).unavailable(language);
  if (reason) throw unavailable(reason);
  if (video.status !== "ready") {
    throw problem("not_ready", { detail: "Captions can be generated once the video is ready." });
  }
  const existing = await store.findCaption(deps.db, videoId, language);
  if (existing?.source === "uploaded") {
    throw problem("captions_exist", {
      detail: `Captions in ${language} were uploaded for this video; remove them first to generate them instead.`,
    });
  }
  // Already under way: its message is queued (and its dead-letter consumer ends it if it never succeeds).
  if (existing?.status === "processing") return;
  await queueTrack(deps, videoId, language, now);
}

/**
 * A video became ready (the `video-ready` consumer): with `AUTO_CAPTIONS=true`, its auto
 * track in its declared language is queued, unless it has a track in that language already
 * (so a redelivered message does not start over), it declares no language, or no engine
 * here knows it.
 */
export async function autoCaptionsOnReady(deps: AutoCaptionDeps, videoId: string, now = new Date()): Promise<void> {
  if (!deps.config.autoCaptions) return;
  const video = await findVideo(deps.db, videoId);
  if (video?.status !== "ready" || !video.language) return;
  if (await store.findCaption(deps.db, videoId, video.language)) return;
  const reason = await deps.transcriber(videoId).unavailable(video.language);
  if (reason) {
    log("info", "auto captions skipped", { video_id: videoId, language: video.language, reason });
    return;
  }
  await queueTrack(deps, videoId, video.language, now);
}

/** Ends a track `failed` (no speech, an engine that cannot serve, retries spent). */
export async function failAutoCaptions(deps: AutoCaptionDeps, message: CaptionJobMessage, reason: string) {
  if (await store.failAutoTrack(deps.db, deps.cueDb, message.video_id, message.language, reason, new Date())) {
    // An earlier version's files, if any: nothing names them now.
    await deps.media.deleteMediaUnder(message.video_id, trackDir(message.language));
    await deps.changed(message.video_id, []);
    await announce(deps, message.video_id, message.language, "failed");
  }
}

/**
 * A `captions` message: transcribe, lay the words out as cues, store the track as uploaded
 * tracks are stored, tell the owner. Idempotent: only a track still `processing` is worked
 * on, and its row is finished only if it still is, so a redelivery after success, an upload
 * meanwhile or a removal meanwhile changes nothing. An engine failure throws (the queue tries
 * again; its dead-letter consumer ends the track `failed`).
 */
export async function transcribeAutoCaptions(deps: AutoCaptionDeps, message: CaptionJobMessage, now = new Date()) {
  const { video_id: videoId, language } = message;
  const row = await store.findCaption(deps.db, videoId, language);
  if (row?.source !== "auto" || row.status !== "processing") return;
  const video = await findVideo(deps.db, videoId);
  if (!video) return;
  let segments: Awaited<ReturnType<Transcriber["transcribe"]>>;
  try {
    segments = await deps.transcriber(videoId).transcribe(videoId, language);
  } catch (err) {
    if (err instanceof TranscriberUnavailable) return failAutoCaptions(deps, message, err.message);
    throw err;
  }
  const words = segments.flatMap(wordsOf).map((w) => ({
    text: w.text,
    start: Math.round(w.start * 1000),
    end: Math.round(w.end * 1000),
  }));
  const cues = layoutCues(words, { endMs: video.duration });
  if (!cues.length) return failAutoCaptions(deps, message, "No speech was found in the audio.");
  const vtt = toWebVtt(cues);
  const rev = await revOf(vtt);
  await storeTrackFiles(deps, videoId, language, rev, cues, vtt, video.duration);
  const stored = await store.finishAutoTrack(deps.db, deps.cueDb, {
    videoId,
    language,
    rev,
    cues: cues.map((c) => ({ start: c.start, end: c.end, text: c.text })),
    now,
  });
  const current = await store.findCaption(deps.db, videoId, language);
  if (!stored) {
    // Uploaded or removed meanwhile: these files are nobody's (unless the same bytes are current).
    if (current?.rev !== rev) {
      await deps.media.deleteMediaUnder(videoId, trackDir(language), (path) => !path.includes(`/${rev}`));
    }
    return;
  }
  await deps.media.deleteMediaUnder(videoId, trackDir(language), (path) => path.includes(`/${rev}`));
  await afterChange(deps, videoId);
  const label = current?.label ?? languageName(language);
  const url = mediaUrl(deps.origin, videoId, trackPath(language, rev));
  await deps.ready?.(videoId, { language, label, source: "auto", url }, rev);
  // One notice per video (the notifications' unique key), however many languages follow.
  await insertVideoNotification(deps.db, {
    id: newId(),
    userId: video.ownerId,
    type: "captions_ready",
    videoId,
    message: `Captions (${label}) are ready.`,
  });
  await announce(deps, videoId, language, "ready");
}
