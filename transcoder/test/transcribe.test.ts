// The local speech engine for real: a spoken clip made by espeak-ng (Debian), muxed into a
// video, transcribed by Debian's pocketsphinx through the transcoder's `transcribe`, laid
// out by the Worker's own cue layout. CI installs both (.ci/apt-packages); without them the
// engine tests are skipped with a message saying so.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { layoutCues } from "../../workers/services/cue-layout.ts";
import { TranscribeRequest, type TranscriptSegment } from "../src/protocol.ts";
import { runFfmpeg } from "../src/run.ts";
import { chunkBounds, parsePocketsphinx, parseSilences } from "../src/speech.ts";
import { type Engine, findEngine, transcribe, Unavailable } from "../src/transcribe.ts";
import { espeakArgs, PHRASES, spokenVideo } from "./clips.ts";
import { clip, clipPath, type FakeWorker, fakeWorker } from "./harness.ts";

const engine = await findEngine();
const espeak = spawnSync("espeak-ng", ["--version"]).status === 0;
const missing = [!engine && "pocketsphinx + pocketsphinx-en-us", !espeak && "espeak-ng"].filter(Boolean);
if (missing.length) {
  console.warn(
    `transcribe.test.ts: skipping the local engine's tests: ${missing.join(" and ")} not installed (.ci/apt-packages)`,
  );
}

const PAUSE_SECONDS = 1.5;
const TOLERANCE_S = 0.3;

/** A video whose sound is the phrases spoken with pauses before, between and after. */
function spokenClip(name: string): Buffer {
  const wavs = PHRASES.map((phrase, i) => {
    const wav = clipPath(`${name}-${i}.wav`);
    const said = spawnSync("espeak-ng", espeakArgs(phrase, wav));
    if (said.status !== 0) throw new Error(String(said.stderr));
    return wav;
  });
  return clip(name, spokenVideo(wavs, PAUSE_SECONDS));
}

/**
 * Where each phrase starts in a file: the end of each pause of a second or more that
 * silencedetect finds (shorter gaps are between words), but the one at the end of the file.
 */
async function onsets(file: string): Promise<number[]> {
  const args = ["-hide_banner", "-nostdin", "-i", file, "-af", "silencedetect=noise=-35dB:d=1", "-f", "null", "-"];
  const stderr = await runFfmpeg(args);
  const [, h, m, sec] = /Duration: (\d+):(\d+):([\d.]+)/.exec(stderr) ?? [];
  const duration = Number(h) * 3600 + Number(m) * 60 + Number(sec);
  // The trailing pause ends where the file does: no phrase follows it.
  return parseSilences(stderr, duration)
    .map((s) => s.end)
    .filter((t) => t < duration - 0.5);
}

let worker: FakeWorker;
beforeAll(async () => {
  worker = await fakeWorker();
});
afterAll(() => worker.close());

const request = (videoId: string, source: Buffer, extra: Partial<TranscribeRequest> = {}) => {
  const job = worker.job(videoId, source);
  return TranscribeRequest.parse({
    video_id: videoId,
    source_url: job.source_url,
    language: "en",
    mode: "words",
    ...extra,
  });
};

describe.skipIf(missing.length > 0)("the local engine (pocketsphinx) on a spoken clip", () => {
  let segments: TranscriptSegment[];
  let speechStarts: number[];
  beforeAll(async () => {
    const source = spokenClip("spoken.mp4");
    speechStarts = await onsets(clipPath("spoken.mp4"));
    const result = await transcribe(request("spoken", source), engine as Engine);
    segments = result.segments ?? [];
    expect(result.duration).toBeGreaterThan(PHRASES.length * 1.5);
  }, 120_000);

  it("finds each phrase where it is said: cue starts within 300 ms of the speech onsets", () => {
    // The clip has as many onsets as phrases (silencedetect over what we made).
    expect(speechStarts).toHaveLength(PHRASES.length);
    const cues = layoutCues(
      segments.flatMap((s) => s.words).map((w) => ({ text: w.text, start: w.start * 1000, end: w.end * 1000 })),
    );
    expect(cues.length).toBeGreaterThanOrEqual(PHRASES.length);
    const offsets = speechStarts.map((onset) => Math.min(...cues.map((c) => Math.abs(c.start / 1000 - onset))));
    console.info(`cue starts vs speech onsets: ${offsets.map((o) => `${Math.round(o * 1000)} ms`).join(", ")}`);
    for (const [i, nearest] of offsets.entries()) {
      expect(nearest, `a cue near ${speechStarts[i]!.toFixed(2)} s`).toBeLessThanOrEqual(TOLERANCE_S);
    }
    for (const cue of cues) {
      const nearest = Math.min(...speechStarts.map((t) => Math.abs(cue.start / 1000 - t)));
      expect(nearest, `cue "${cue.text}" at ${cue.start} ms starts at an onset`).toBeLessThanOrEqual(TOLERANCE_S);
      expect(cue.text).not.toMatch(/<|\[|\(\d\)/);
    }
  });

  it("gives every word a time inside the clip, in order", () => {
    const words = segments.flatMap((s) => s.words);
    expect(words.length).toBeGreaterThanOrEqual(PHRASES.length);
    for (const [i, w] of words.entries()) {
      expect(w.end).toBeGreaterThan(w.start);
      if (i) expect(w.start).toBeGreaterThanOrEqual(words[i - 1]!.start);
    }
  });

  it("hears nothing in silence: no segments, no cues", async () => {
    const source = clip("silent.mp4", [
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=320x180:rate=25",
      "-f",
      "lavfi",
      "-i",
      "anullsrc=r=44100:cl=stereo",
      "-t",
      "5",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
    ]);
    const result = await transcribe(request("silent", source), engine as Engine);
    expect(result.segments).toEqual([]);
    expect(layoutCues([])).toEqual([]);
  });

  it("cuts the audio at its pauses into chunks for Whisper, each stored and at most the limit long", async () => {
    const source = readFileSync(clipPath("spoken.mp4"));
    worker.objects.clear();
    const result = await transcribe(
      request("chunked", source, {
        mode: "chunks",
        max_chunk_seconds: 5,
        output: { base_url: `${worker.url}/chunked/media`, query: "sig=ok" },
      }),
      null,
    );
    const chunks = result.chunks ?? [];
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const [i, c] of chunks.entries()) {
      expect(c.duration).toBeLessThanOrEqual(5.05);
      expect(worker.objects.get(c.path)?.subarray(0, 4).toString()).toBe("RIFF");
      if (i) expect(c.start).toBeGreaterThan(chunks[i - 1]!.start);
    }
    // Every cut falls in a pause: never within 100 ms after an onset (inside a word).
    for (const c of chunks.slice(1)) {
      for (const onset of speechStarts) expect(c.start < onset - 0.05 || c.start > onset + 0.5).toBe(true);
    }
  });
});

describe("transcription without an engine or outside its languages", () => {
  it("refuses words without pocketsphinx, and a language its models lack", async () => {
    const source = Buffer.from("not read");
    await expect(transcribe(request("none", source), null)).rejects.toBeInstanceOf(Unavailable);
    const english: Engine = { name: "pocketsphinx", binary: "/bin/false", languages: ["en"] };
    await expect(transcribe(request("fr", source, { language: "fr" }), english)).rejects.toBeInstanceOf(Unavailable);
  });

  it("finds no engine where the binary is missing", async () => {
    expect(await findEngine({ PATH: path.join(clipPath(""), "nowhere") })).toBeNull();
  });
});

describe("reading pocketsphinx and silencedetect, and where chunks are cut", () => {
  it("reads word times, dropping fillers and alternate pronunciation marks", () => {
    const out = [
      "hello world",
      "<s> 1.390 1.470 1.000000",
      "hello 1.480 1.620 0.175012",
      "<sil> 1.630 1.700 0.9",
      "world(2) 1.710 2.290 0.983142",
      "[NOISE] 2.3 2.4 1",
      "</s> 2.300 2.860 1.000000",
      "again",
      "<s> 4.150 4.870 0.999800",
      "again 4.880 5.050 0.122930",
      "</s> 5.310 6.560 1.000000",
    ].join("\n");
    expect(parsePocketsphinx(out)).toEqual([
      {
        start: 1.48,
        end: 2.29,
        text: "hello world",
        words: [
          { text: "hello", start: 1.48, end: 1.62 },
          { text: "world", start: 1.71, end: 2.29 },
        ],
      },
      { start: 4.88, end: 5.05, text: "again", words: [{ text: "again", start: 4.88, end: 5.05 }] },
    ]);
  });

  it("reads pauses, an open one lasting to the end", () => {
    const stderr = [
      "[silencedetect @ 0x1] silence_start: 0",
      "[silencedetect @ 0x1] silence_end: 1.51356 | silence_duration: 1.51356",
      "[silencedetect @ 0x1] silence_start: 9.06875",
    ].join("\n");
    expect(parseSilences(stderr, 10)).toEqual([
      { start: 0, end: 1.51356 },
      { start: 9.06875, end: 10 },
    ]);
  });

  it("cuts in the middle of the last pause before the limit, else at the limit, and leaves out silent chunks", () => {
    expect(chunkBounds(20, [], 30)).toEqual([{ start: 0, end: 20 }]);
    expect(chunkBounds(70, [], 30)).toEqual([
      { start: 0, end: 30 },
      { start: 30, end: 60 },
      { start: 60, end: 70 },
    ]);
    const pauses = [
      { start: 10, end: 11 },
      { start: 24, end: 26 },
      { start: 40, end: 70 },
    ];
    expect(chunkBounds(70, pauses, 30)).toEqual([
      { start: 0, end: 25 },
      { start: 25, end: 55 },
    ]);
  });
});
