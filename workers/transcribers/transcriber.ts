import type { TranscriptSegment, TranscriptWord } from "../../contracts/transcoder";

export type { TranscriptSegment, TranscriptWord };

/**
 * Speech to word-timed text for auto captions (issue 21), behind one interface:
 * `WhisperTranscriber` (Workers AI `@cf/openai/whisper-large-v3-turbo`, production) and
 * `LocalTranscriber` (Debian's pocketsphinx run by the transcoder, local dev and CI).
 * `wiring/transcriber.ts` picks one from the `TRANSCRIBER` setting.
 */
export interface Transcriber {
  readonly id: string;
  /** Why `language` (BCP 47) cannot be transcribed here, or null when it can. */
  unavailable(language: string): Promise<string | null>;
  /** What is said in the video, in seconds from its start; no speech, no segments. */
  transcribe(videoId: string, language: string): Promise<TranscriptSegment[]>;
}

/** Thrown by `transcribe` when it turns out the engine cannot serve (it went away, a language it lacks). */
export class TranscriberUnavailable extends Error {}

/** No engine at all (`TRANSCRIBER=none`, or Workers AI not bound). */
export class NoTranscriber implements Transcriber {
  readonly id = "none";
  private readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
  unavailable() {
    return Promise.resolve(this.reason);
  }
  transcribe(): Promise<TranscriptSegment[]> {
    return Promise.reject(new TranscriberUnavailable(this.reason));
  }
}

/** A segment's words; a segment that came without word times gets them spread evenly over it. */
export function wordsOf(segment: TranscriptSegment): TranscriptWord[] {
  if (segment.words.length) return segment.words;
  const texts = segment.text.split(/\s+/).filter(Boolean);
  const step = (segment.end - segment.start) / Math.max(1, texts.length);
  return texts.map((text, i) => ({ text, start: segment.start + i * step, end: segment.start + (i + 1) * step }));
}
