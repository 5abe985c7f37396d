import { signScope } from "../lib/signing";
import { mediaStore } from "../storage/media";
import { LocalTranscriber } from "../transcribers/local";
import { NoTranscriber, type Transcriber } from "../transcribers/transcriber";
import { type WhisperAi, WhisperTranscriber } from "../transcribers/whisper";
import { transcoderSpeech } from "./transcoder";

/** Signed URLs for one transcription: long enough for a long video's audio, no longer. */
const URL_TTL_SECONDS = 3600;

const internalBase = (env: Env, videoId: string) =>
  `${env.PUBLIC_URL.replace(/\/$/, "")}/internal/v1/videos/${videoId}`;

/**
 * The transcriber of this environment (`TRANSCRIBER`): `workers-ai` (production) is Whisper
 * on Workers AI, the transcoder cutting the audio into chunks it stores in R2; `local` is
 * the transcoder's own engine (pocketsphinx: npm start, tests); anything else, or
 * `workers-ai` without the AI binding, is none, and generation answers 503
 * `captions_unavailable`.
 */
export function transcriberFromEnv(env: Env, videoId: string): Transcriber {
  const speech = transcoderSpeech(env, videoId);
  if (env.TRANSCRIBER === "local") {
    return new LocalTranscriber(
      speech,
      async (id) =>
        `${internalBase(env, id)}/source?${await signScope(env.SIGNING_SECRET, id, "source", URL_TTL_SECONDS)}`,
    );
  }
  const ai = env.AI as unknown as Partial<WhisperAi> | undefined;
  if (env.TRANSCRIBER === "workers-ai" && typeof ai?.run === "function") {
    const media = mediaStore(env.MEDIA);
    return new WhisperTranscriber(env.AI as unknown as WhisperAi, {
      split: async (id, language) => {
        const base = internalBase(env, id);
        const [source, audio] = await Promise.all([
          signScope(env.SIGNING_SECRET, id, "source", URL_TTL_SECONDS),
          signScope(env.SIGNING_SECRET, id, "audio", URL_TTL_SECONDS),
        ]);
        const result = await speech.transcribe({
          video_id: id,
          source_url: `${base}/source?${source}`,
          language,
          mode: "chunks",
          output: { base_url: `${base}/audio`, query: audio },
        });
        return (result.chunks ?? []).map((chunk) => ({
          start: chunk.start,
          read: async () => {
            const object = await media.getAudio(id, chunk.path);
            if (!object) throw new Error(`audio chunk ${chunk.path} is missing`);
            return new Uint8Array(await object.arrayBuffer());
          },
        }));
      },
      discard: (id) => media.deleteAudio(id),
    });
  }
  return new NoTranscriber("No transcription engine is set up on this platform: upload a WebVTT or SRT file instead.");
}
