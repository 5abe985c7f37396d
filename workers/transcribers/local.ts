import type {
  TranscribeRequest,
  TranscribeResult,
  TranscriberInfo,
  TranscriptSegment,
} from "../../contracts/transcoder";
import type { Transcriber } from "./transcriber";

/** The transcoder's speech side (`GET` and `POST /transcripts`). */
export interface TranscoderSpeech {
  /** What it can do; null when it does not answer. */
  info(): Promise<TranscriberInfo | null>;
  transcribe(request: TranscribeRequest): Promise<TranscribeResult>;
}

/**
 * The local engine: Debian's pocketsphinx, run by the transcoder (which has ffmpeg for the
 * audio). It knows the languages of its installed models (US English).
 */
export class LocalTranscriber implements Transcriber {
  readonly id = "local:pocketsphinx";
  private readonly speech: TranscoderSpeech;
  private readonly sourceUrl: (videoId: string) => Promise<string>;
  constructor(speech: TranscoderSpeech, sourceUrl: (videoId: string) => Promise<string>) {
    this.speech = speech;
    this.sourceUrl = sourceUrl;
  }

  async unavailable(language: string): Promise<string | null> {
    const info = await this.speech.info();
    if (!info) return "The transcoder does not answer; try again later.";
    if (!info.engine) {
      return "No transcription engine is set up on this platform: upload a WebVTT or SRT file instead.";
    }
    const primary = (language.split("-")[0] ?? "").toLowerCase();
    if (!info.languages.includes(primary)) {
      return `The transcription engine here knows ${info.languages.join(", ") || "no language"} only: upload a WebVTT or SRT file instead.`;
    }
    return null;
  }

  async transcribe(videoId: string, language: string): Promise<TranscriptSegment[]> {
    const result = await this.speech.transcribe({
      video_id: videoId,
      source_url: await this.sourceUrl(videoId),
      language,
      mode: "words",
    });
    return result.segments ?? [];
  }
}
