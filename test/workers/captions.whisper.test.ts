import { describe, expect, it } from "vitest";
import {
  base64Of,
  type ChunkSource,
  DROP,
  segmentsOfWhisper,
  WHISPER_CONCURRENCY,
  WHISPER_MODEL,
  type WhisperAi,
  type WhisperInput,
  type WhisperOutput,
  WhisperTranscriber,
} from "../../workers/transcribers/whisper";

/**
 * The production transcriber against Workers AI's documented shapes for
 * `@cf/openai/whisper-large-v3-turbo` (the `Ai_Cf_Openai_Whisper_Large_V3_Turbo_Input` and
 * `_Output` types wrangler generates from the model's schema): Workers AI has no local
 * simulator, so a fake `AI` binding checks each request and answers as the model does.
 */

/** A documented answer: `text`, `transcription_info`, `segments` with words and the confidence fields, `vtt`. */
function answer(segments: NonNullable<WhisperOutput["segments"]>): WhisperOutput {
  return {
    transcription_info: { language: "pt", language_probability: 1, duration: 30, duration_after_vad: 28 },
    text: segments.map((s) => s.text).join(""),
    word_count: segments.reduce((n, s) => n + (s.words?.length ?? 0), 0),
    segments,
    vtt: "WEBVTT\n\n",
  };
}

const speech = (start: number, text: string, extra: Partial<NonNullable<WhisperOutput["segments"]>[number]> = {}) => {
  const words = text
    .trim()
    .split(" ")
    .map((word, i) => ({ word: ` ${word}`, start: start + i * 0.4, end: start + i * 0.4 + 0.35 }));
  return {
    start,
    end: words[words.length - 1]!.end,
    text: ` ${text}`,
    temperature: 0,
    avg_logprob: -0.2,
    compression_ratio: 1.3,
    no_speech_prob: 0.01,
    words,
    ...extra,
  };
};

/** Two chunks of "audio" (distinct bytes), the second starting 28.5 s into the video. */
function chunks(): ChunkSource & { discarded: string[]; split: ChunkSource["split"] } {
  const discarded: string[] = [];
  return {
    discarded,
    split: async (videoId, language) => {
      expect(videoId).toBe("vid00000000001");
      expect(language).toBe("pt-BR");
      return [
        { start: 0, read: async () => Uint8Array.from([82, 73, 70, 70, 1, 2, 3]) },
        { start: 28.5, read: async () => Uint8Array.from({ length: 100_000 }, (_, i) => i % 256) },
      ];
    },
    discard: async (videoId) => void discarded.push(videoId),
  };
}

describe("the Workers AI Whisper transcriber", () => {
  it("sends each chunk as base64 audio with the video's language, and adds each chunk's offset", async () => {
    const seen: WhisperInput[] = [];
    const ai: WhisperAi = {
      run: async (model, input) => {
        expect(model).toBe("@cf/openai/whisper-large-v3-turbo");
        seen.push(input);
        // The first chunk is 7 bytes (chunks run a few at a time: answer by the chunk, not the call).
        return atob(input.audio as string).length === 7
          ? answer([speech(1, "olá a todos"), speech(5, "bem-vindos.")])
          : answer([speech(0.5, "segunda parte")]);
      },
    };
    const source = chunks();
    const segments = await new WhisperTranscriber(ai, source).transcribe("vid00000000001", "pt-BR");

    // The documented input: `audio` a base64 string of the chunk, ISO 639-1 `language`, the task.
    expect(seen).toHaveLength(2);
    for (const input of seen) {
      expect(Object.keys(input).sort()).toEqual(["audio", "condition_on_previous_text", "language", "task"]);
      expect(typeof input.audio).toBe("string");
      expect(input.audio).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(input).toMatchObject({ language: "pt", task: "transcribe", condition_on_previous_text: false });
    }
    const sent = seen.map((input) => Uint8Array.from(atob(input.audio as string), (c) => c.charCodeAt(0)));
    expect(sent.map((bytes) => bytes.length).sort((a, b) => a - b)).toEqual([7, 100_000]);
    expect(sent.find((bytes) => bytes.length === 7)).toEqual(Uint8Array.from([82, 73, 70, 70, 1, 2, 3]));

    expect(segments.map((s) => [s.start, s.text])).toEqual([
      [1, "olá a todos"],
      [5, "bem-vindos."],
      [29, "segunda parte"],
    ]);
    // Words are trimmed and moved by the chunk's start too.
    expect(segments[2]!.words).toEqual([
      { text: "segunda", start: 29, end: 29.35 },
      { text: "parte", start: 29.4, end: expect.closeTo(29.75, 6) },
    ]);
    expect(source.discarded).toEqual(["vid00000000001"]);
  });

  it("transcribes a long video's chunks a few at a time, and keeps the video's order", async () => {
    let inFlight = 0;
    let most = 0;
    const ai: WhisperAi = {
      run: async (_model, input) => {
        inFlight++;
        most = Math.max(most, inFlight);
        const n = atob(input.audio as string).length;
        // Later chunks answer sooner: order must come from the chunks, not the answers.
        await new Promise((r) => setTimeout(r, 30 - n));
        inFlight--;
        return answer([speech(1, `chunk ${n}`)]);
      },
    };
    const source: ChunkSource = {
      split: async () =>
        Array.from({ length: 20 }, (_, i) => ({ start: i * 30, read: async () => new Uint8Array(i + 1) })),
      discard: async () => {},
    };
    const segments = await new WhisperTranscriber(ai, source).transcribe("vid00000000001", "pt-BR");
    expect(segments.map((s) => [s.start, s.text])).toEqual(
      Array.from({ length: 20 }, (_, i) => [i * 30 + 1, `chunk ${i + 1}`]),
    );
    expect(most).toBe(WHISPER_CONCURRENCY);
    expect(WHISPER_CONCURRENCY).toBeGreaterThan(1);
  });

  it("drops what Whisper doubts is speech: a high no_speech_prob with a low avg_logprob", () => {
    const out = segmentsOfWhisper(
      answer([
        speech(0, "real words"),
        speech(3, "thank you for watching", { no_speech_prob: 0.9, avg_logprob: -1.4 }),
        // Either alone is not enough: quiet but confident speech stays, so does a noisy guess.
        speech(8, "quiet but sure", { no_speech_prob: 0.9, avg_logprob: -0.3 }),
        speech(12, "loud but unsure", { no_speech_prob: 0.1, avg_logprob: -1.5 }),
      ]),
      10,
    );
    expect(DROP).toEqual({ noSpeechProb: 0.6, avgLogprob: -1 });
    expect(out.map((s) => [s.start, s.text])).toEqual([
      [10, "real words"],
      [18, "quiet but sure"],
      [22, "loud but unsure"],
    ]);
  });

  it("gives a segment that came without word times evenly spread words; an answer without segments is none", () => {
    const [segment] = segmentsOfWhisper(answer([{ start: 2, end: 4, text: " one two three four" }]), 0);
    expect(segment!.words.map((w) => [w.text, w.start, w.end])).toEqual([
      ["one", 2, 2.5],
      ["two", 2.5, 3],
      ["three", 3, 3.5],
      ["four", 3.5, 4],
    ]);
    expect(segmentsOfWhisper({ text: "" }, 0)).toEqual([]);
  });

  it("discards the chunks even when the model fails, and lets the failure through (the queue retries)", async () => {
    const source = chunks();
    const ai: WhisperAi = {
      run: async () => {
        throw new Error("AiError: 3010: Invalid or incomplete input");
      },
    };
    await expect(new WhisperTranscriber(ai, source).transcribe("vid00000000001", "pt-BR")).rejects.toThrow(/3010/);
    expect(source.discarded).toEqual(["vid00000000001"]);
  });

  it("encodes base64 as the platform does", () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    expect(base64Of(bytes)).toBe(btoa(binary));
    expect(WHISPER_MODEL).toBe("@cf/openai/whisper-large-v3-turbo");
  });
});
