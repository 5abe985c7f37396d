import { problem, validationFailed } from "../lib/errors";
import { AUDIO_CHUNK, contentTypeOf, MEDIA_PATH } from "../storage/media";
import { findVideo } from "../storage/videos";
import type { VideoDeps } from "./videos";

/** The largest single output the transcoder may write (a segment, a sprite, a playlist). */
const MAX_OBJECT_BYTES = 1024 ** 3;

/**
 * What the transcoder does through its signed side door (routes/internal.ts): read the
 * upload, write or clear the video's outputs. Only a video still processing takes outputs.
 */
export async function readSource(deps: VideoDeps, videoId: string): Promise<Response> {
  const video = await findVideo(deps.db, videoId);
  if (!video?.sourceKey) throw problem("not_found", { detail: "The video has no source." });
  const object = await deps.media.getSource(video.sourceKey);
  if (!object) throw problem("not_found", { detail: "The source object is missing." });
  return new Response(object.body, {
    headers: {
      "Content-Type": object.httpMetadata?.contentType ?? "application/octet-stream",
      "Content-Length": String(object.size),
    },
  });
}

export interface Output {
  path: string;
  /** The declared Content-Length (required: R2 needs the length of a streamed put). */
  length: number | undefined;
  contentType: string | undefined;
  body: ReadableStream | null;
}

export async function storeOutput(deps: VideoDeps, videoId: string, output: Output): Promise<void> {
  if (!MEDIA_PATH.test(output.path)) {
    throw validationFailed([{ name: "path", reason: "must be a relative media path" }]);
  }
  const length = output.length;
  if (length === undefined || !Number.isInteger(length) || length < 0) {
    throw problem("length_required", { detail: "Send Content-Length with the object." });
  }
  if (length > MAX_OBJECT_BYTES) throw problem("object_too_large", { detail: "The object is over 1 GiB." });
  const video = await findVideo(deps.db, videoId);
  // Outputs for a video that was deleted or has ended are refused, not stored as orphans.
  if (video?.status !== "processing") {
    throw problem("not_processing", { detail: "The video is not processing." });
  }
  await deps.media.putMedia(
    videoId,
    output.path,
    output.body ?? new Uint8Array(),
    output.contentType ?? contentTypeOf(output.path),
  );
}

/** Deletes every processed object of a video (after a failed job); its source stays. */
export async function clearOutputs(deps: VideoDeps, videoId: string): Promise<void> {
  await deps.media.deleteMedia(videoId);
}

/** 30 s of 16 kHz mono 16-bit PCM is 960 kB; a WAV chunk is refused well past that. */
const MAX_AUDIO_CHUNK_BYTES = 2 * 1024 ** 2;

/** A chunk of a video's audio, cut by the transcoder for Whisper (auto captions). */
export async function storeAudioChunk(
  deps: VideoDeps,
  videoId: string,
  name: string,
  chunk: { length: number | undefined; body: ReadableStream | null },
): Promise<void> {
  if (!AUDIO_CHUNK.test(name)) throw validationFailed([{ name: "name", reason: "must be chunk_NNNNN.wav" }]);
  const length = chunk.length;
  if (length === undefined || !Number.isInteger(length) || length < 0) {
    throw problem("length_required", { detail: "Send Content-Length with the object." });
  }
  if (length > MAX_AUDIO_CHUNK_BYTES) throw problem("object_too_large", { detail: "An audio chunk is at most 2 MB." });
  if (!(await findVideo(deps.db, videoId))) throw problem("not_found", { detail: "No such video." });
  await deps.media.putAudio(videoId, name, chunk.body ?? new Uint8Array());
}
