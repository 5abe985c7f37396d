import type { TranscriptSegment, TranscriptWord } from "../../contracts/transcoder";
import { type Transcriber, wordsOf } from "./transcriber";

export const WHISPER_MODEL = "@cf/openai/whisper-large-v3-turbo";

export type WhisperInput = Ai_Cf_Openai_Whisper_Large_V3_Turbo_Input;
export type WhisperOutput = Ai_Cf_Openai_Whisper_Large_V3_Turbo_Output;

/** What the adapter needs of the `AI` binding. */
export interface WhisperAi {
  run(model: typeof WHISPER_MODEL, input: WhisperInput): Promise<WhisperOutput>;
}

/** One chunk of the video's audio (16 kHz mono WAV, at most 30 s), and where it starts in the video. */
export interface AudioChunkRef {
  start: number;
  read(): Promise<Uint8Array>;
}

/**
 * Where chunks come from: the transcoder (it has ffmpeg) cuts the audio at silences and
 * stores the chunks in R2; `discard` removes them once read.
 */
export interface ChunkSource {
  split(videoId: string, language: string): Promise<AudioChunkRef[]>;
  discard(videoId: string): Promise<void>;
}

/**
 * A segment Whisper itself is unsure holds speech: a high `no_speech_prob` together with a
 * low `avg_logprob` (Whisper's own thresholds, 0.6 and -1). Such segments are where it
 * makes up "thank you for watching" over silence or music.
 */
export const DROP = { noSpeechProb: 0.6, avgLogprob: -1 } as const;

const dropped = (s: NonNullable<WhisperOutput["segments"]>[number]) =>
  (s.no_speech_prob ?? 0) > DROP.noSpeechProb && (s.avg_logprob ?? 0) < DROP.avgLogprob;

/** Base64 of bytes, a slice at a time (a 30 s chunk is about 1 MB). */
export function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Whisper's answer for one chunk as segments of the video: offsets added, doubtful segments dropped. */
export function segmentsOfWhisper(answer: WhisperOutput, offset: number): TranscriptSegment[] {
  const out: TranscriptSegment[] = [];
  for (const s of answer.segments ?? []) {
    if (dropped(s)) continue;
    const text = (s.text ?? "").trim();
    const start = (s.start ?? 0) + offset;
    const end = Math.max(start, (s.end ?? s.start ?? 0) + offset);
    const words: TranscriptWord[] = (s.words ?? [])
      .map((w) => ({ text: (w.word ?? "").trim(), start: (w.start ?? 0) + offset, end: (w.end ?? 0) + offset }))
      .filter((w) => w.text && w.end >= w.start);
    if (!text && !words.length) continue;
    const segment = { start, end, text, words };
    out.push({ ...segment, words: wordsOf(segment) });
  }
  return out;
}

/**
 * Chunks in flight at once: within a Worker's 6 simultaneous connections, and enough that a
 * long video fits a consumer's wall time (10,000 subrequests an invocation on the paid plan
 * is two per chunk: its R2 read and the model call).
 */
export const WHISPER_CONCURRENCY = 4;

/**
 * Workers AI Whisper (large-v3-turbo) over the video's audio in chunks of at most 30 s cut
 * at silences, each sent with the video's declared language (its primary subtag, the ISO
 * 639-1 code Whisper takes) rather than left for the model to guess.
 */
export class WhisperTranscriber implements Transcriber {
  readonly id = `workers-ai:${WHISPER_MODEL}`;
  private readonly ai: WhisperAi;
  private readonly chunks: ChunkSource;
  constructor(ai: WhisperAi, chunks: ChunkSource) {
    this.ai = ai;
    this.chunks = chunks;
  }

  unavailable(): Promise<string | null> {
    return Promise.resolve(null);
  }

  async transcribe(videoId: string, language: string): Promise<TranscriptSegment[]> {
    const code = (language.split("-")[0] ?? language).toLowerCase();
    try {
      const list = await this.chunks.split(videoId, language);
      const answers: TranscriptSegment[][] = new Array(list.length);
      // A few chunks at a time, answers kept in the video's order: one after another, a
      // four-hour video's 480 chunks would outlast a queue consumer's 15 minutes of wall time.
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < list.length; i = next++) {
          const chunk = list[i] as AudioChunkRef;
          const answer = await this.ai.run(WHISPER_MODEL, {
            audio: base64Of(await chunk.read()),
            task: "transcribe",
            language: code,
            // Each chunk stands alone: a hallucination cannot carry over into the next.
            condition_on_previous_text: false,
          });
          answers[i] = segmentsOfWhisper(answer, chunk.start);
        }
      };
      await Promise.all(Array.from({ length: Math.min(WHISPER_CONCURRENCY, list.length) }, lane));
      return answers.flat();
    } finally {
      await this.chunks.discard(videoId);
    }
  }
}
