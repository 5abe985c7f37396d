// Pure pieces of transcription (auto captions): ffmpeg arguments for the audio, reading
// ffmpeg's silencedetect and pocketsphinx's word times, and where to cut audio into chunks.
import type { TranscriptSegment, TranscriptWord } from "./protocol.ts";

/** What speech recognisers read: 16 kHz mono 16-bit PCM WAV, video and other tracks dropped. */
export const audioArgs = (input: string, output: string, from?: number, seconds?: number) => [
  "-hide_banner",
  "-loglevel",
  "error",
  "-nostdin",
  ...(from !== undefined ? ["-ss", from.toFixed(3)] : []),
  "-i",
  input,
  ...(seconds !== undefined ? ["-t", seconds.toFixed(3)] : []),
  "-map",
  "0:a:0",
  "-vn",
  "-ac",
  "1",
  "-ar",
  "16000",
  "-c:a",
  "pcm_s16le",
  "-y",
  output,
];

/** Quieter than -35 dB for 0.3 s or more is a pause (speech sits far above it). */
export const SILENCE = { noiseDb: -35, minSeconds: 0.3 };

export const silenceArgs = (input: string) => [
  "-hide_banner",
  "-nostdin",
  "-i",
  input,
  "-af",
  `silencedetect=noise=${SILENCE.noiseDb}dB:d=${SILENCE.minSeconds}`,
  "-f",
  "null",
  "-",
];

export interface Silence {
  start: number;
  end: number;
}

/** The pauses silencedetect printed (a pause still open at the end lasts to `duration`). */
export function parseSilences(stderr: string, duration: number): Silence[] {
  const out: Silence[] = [];
  let open: number | undefined;
  for (const line of stderr.split("\n")) {
    const start = /silence_start: (-?[\d.]+)/.exec(line);
    if (start) open = Math.max(0, Number(start[1]));
    const end = /silence_end: ([\d.]+)/.exec(line);
    if (end && open !== undefined) {
      out.push({ start: open, end: Number(end[1]) });
      open = undefined;
    }
  }
  if (open !== undefined && duration > open) out.push({ start: open, end: duration });
  return out;
}

export interface ChunkBounds {
  start: number;
  end: number;
}

/**
 * Where to cut `duration` seconds of audio into chunks of at most `max` seconds: each cut in
 * the middle of the last pause before the limit (a word is never cut in two where there is
 * a pause to cut in), else at the limit. Chunks that are silent throughout are left out:
 * Whisper makes up words ("thank you for watching") for silence.
 */
export function chunkBounds(duration: number, silences: readonly Silence[], max: number): ChunkBounds[] {
  const chunks: ChunkBounds[] = [];
  let start = 0;
  while (duration - start > max) {
    const limit = start + max;
    let cut = limit;
    for (const s of silences) {
      if (s.start >= limit || s.end <= start + 1) continue;
      const middle = Math.min(limit, Math.max(start + 1, (s.start + s.end) / 2));
      cut = middle;
    }
    chunks.push({ start, end: cut });
    start = cut;
  }
  if (duration - start > 0.05) chunks.push({ start, end: duration });
  const silent = (c: ChunkBounds) => silences.some((s) => s.start <= c.start + 0.01 && s.end >= c.end - 0.01);
  return chunks.filter((c) => !silent(c));
}

/**
 * pocketsphinx_continuous `-time yes` output: per utterance a line with the hypothesis, then
 * one line per token `word start end confidence` (seconds). Fillers (`<s>`, `</s>`, `<sil>`,
 * `[NOISE]`, `++GARBAGE++`) are not words; `word(2)` names the dictionary's second
 * pronunciation of `word`.
 */
export function parsePocketsphinx(stdout: string): TranscriptSegment[] {
  const segments: TranscriptSegment[] = [];
  let words: TranscriptWord[] = [];
  const flush = () => {
    if (!words.length) return;
    const first = words[0] as TranscriptWord;
    const last = words[words.length - 1] as TranscriptWord;
    segments.push({ start: first.start, end: last.end, text: words.map((w) => w.text).join(" "), words });
    words = [];
  };
  for (const line of stdout.split("\n")) {
    const m = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (-?[\d.]+(?:e-?\d+)?)$/.exec(line.trim());
    if (!m) continue;
    const token = m[1] as string;
    if (token === "<s>") flush();
    if (token === "</s>") {
      flush();
      continue;
    }
    if (/^(<.*>|\[.*\]|\+\+.*\+\+)$/.test(token)) continue;
    const start = Number(m[2]);
    const end = Number(m[3]);
    if (!(end > start)) continue;
    words.push({ text: token.replace(/\(\d+\)$/, ""), start, end });
  }
  flush();
  return segments;
}
