// Transcription for auto captions (`POST /transcripts`): the video's audio as 16 kHz mono,
// then either the local engine's word-timed segments (Debian's pocketsphinx) or chunks cut
// at silences, stored through the Worker's signed URL for Workers AI Whisper.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { download } from "./job.ts";
import type { AudioChunk, TranscribeRequest, TranscribeResult, TranscriberInfo } from "./protocol.ts";
import { probe, runFfmpeg } from "./run.ts";
import { audioArgs, chunkBounds, parsePocketsphinx, parseSilences, silenceArgs } from "./speech.ts";

const exec = promisify(execFile);

/** The local engine: a binary and the languages its installed models cover. */
export interface Engine {
  name: string;
  binary: string;
  languages: string[];
}

const isExecutable = (file: string) =>
  access(file, constants.X_OK).then(
    () => true,
    () => false,
  );

/**
 * Looks for pocketsphinx once (the server calls this at start): `POCKETSPHINX_PATH`, else
 * `pocketsphinx_continuous` on the PATH (Debian's `pocketsphinx` package), with the US English
 * model of `pocketsphinx-en-us`. Null when either is missing: auto captions are then
 * unavailable here, and everything else works as before.
 */
export async function findEngine(env: NodeJS.ProcessEnv = process.env): Promise<Engine | null> {
  const candidates = env.POCKETSPHINX_PATH
    ? [env.POCKETSPHINX_PATH]
    : (env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, "pocketsphinx_continuous"));
  let binary: string | undefined;
  for (const file of candidates) {
    if (file && (await isExecutable(file))) {
      binary = file;
      break;
    }
  }
  if (!binary) return null;
  const modelDir = env.POCKETSPHINX_MODEL_DIR ?? "/usr/share/pocketsphinx/model";
  const english = await access(path.join(modelDir, "en-us", "en-us")).then(
    () => true,
    () => false,
  );
  if (!english) return null;
  return { name: "pocketsphinx", binary, languages: ["en"] };
}

export const engineInfo = (engine: Engine | null): TranscriberInfo => ({
  engine: engine?.name ?? null,
  languages: engine?.languages ?? [],
  chunks: true,
});

/** Whether the engine's models cover a BCP 47 tag (by its primary language: `en-GB` is `en`). */
export const knowsLanguage = (engine: Engine, language: string) =>
  engine.languages.includes(language.split("-")[0]?.toLowerCase() ?? "");

/** The request cannot be served here (no engine, another language): the Worker's 503. */
export class Unavailable extends Error {}

/** A file's audio as 16 kHz mono WAV; false when it has no audio track. */
export async function extractAudio(source: string, wav: string, signal?: AbortSignal): Promise<boolean> {
  const info = await probe(source);
  if (!info.streams.some((s) => s.codec_type === "audio")) return false;
  await runFfmpeg(audioArgs(source, wav), signal);
  return true;
}

async function durationOf(file: string): Promise<number> {
  const info = await probe(file);
  return Number(info.format.duration ?? 0) || 0;
}

/** Word-timed segments of a 16 kHz mono WAV by pocketsphinx. */
export async function recognise(engine: Engine, wav: string, signal?: AbortSignal) {
  const { stdout } = await exec(engine.binary, ["-infile", wav, "-time", "yes", "-logfn", "/dev/null"], {
    maxBuffer: 256 << 20,
    signal,
  });
  return parsePocketsphinx(stdout);
}

/** The audio cut at pauses into chunks of at most `maxSeconds`, each its own WAV in `dir`. */
export async function splitAudio(wav: string, dir: string, maxSeconds: number, signal?: AbortSignal) {
  const duration = await durationOf(wav);
  const silences = parseSilences(await runFfmpeg(silenceArgs(wav), signal), duration);
  const chunks: (AudioChunk & { file: string })[] = [];
  for (const [i, bounds] of chunkBounds(duration, silences, maxSeconds).entries()) {
    const name = `chunk_${String(i).padStart(5, "0")}.wav`;
    const file = path.join(dir, name);
    await runFfmpeg(audioArgs(wav, file, bounds.start, bounds.end - bounds.start), signal);
    chunks.push({ path: name, start: bounds.start, duration: bounds.end - bounds.start, file });
  }
  return { duration, chunks };
}

async function putChunk(output: NonNullable<TranscribeRequest["output"]>, name: string, file: string) {
  const bytes = await readFile(file);
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${output.base_url}/${name}?${output.query}`, {
      method: "PUT",
      headers: { "Content-Type": "audio/wav" },
      body: new Uint8Array(bytes),
    }).catch((err: unknown) => err as Error);
    if (res instanceof Response && res.ok) return;
    const final = res instanceof Response && res.status >= 400 && res.status < 500 && res.status !== 429;
    if (final || attempt >= 4) {
      throw new Error(`PUT ${name}: ${res instanceof Response ? `HTTP ${res.status}` : res.message}`);
    }
    await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
  }
}

export interface TranscribeOptions {
  workRoot?: string;
  signal?: AbortSignal;
}

/** One `POST /transcripts` request, start to end; its folder is removed whatever happens. */
export async function transcribe(
  request: TranscribeRequest & { max_chunk_seconds: number },
  engine: Engine | null,
  options: TranscribeOptions = {},
): Promise<TranscribeResult> {
  if (request.mode === "words" && (!engine || !knowsLanguage(engine, request.language))) {
    throw new Unavailable(
      engine
        ? `The local speech engine (${engine.name}) knows ${engine.languages.join(", ")} only.`
        : "No speech engine is installed next to the transcoder (apt-get install pocketsphinx pocketsphinx-en-us).",
    );
  }
  const output = request.output;
  if (request.mode === "chunks" && !output) throw new Error("chunks need an output URL");
  const work = path.join(
    options.workRoot ?? path.join(tmpdir(), "cloudtube-transcoder"),
    `transcript-${request.video_id}-${crypto.randomUUID()}`,
  );
  await mkdir(work, { recursive: true });
  try {
    const source = path.join(work, "source");
    const wav = path.join(work, "audio.wav");
    await download(request.source_url, source, options.signal);
    if (!(await extractAudio(source, wav, options.signal))) {
      return request.mode === "words" ? { duration: 0, segments: [] } : { duration: 0, chunks: [] };
    }
    if (request.mode === "words" && engine) {
      return { duration: await durationOf(wav), segments: await recognise(engine, wav, options.signal) };
    }
    const { duration, chunks } = await splitAudio(wav, work, request.max_chunk_seconds, options.signal);
    if (output) for (const chunk of chunks) await putChunk(output, chunk.path, chunk.file);
    return { duration, chunks: chunks.map(({ path: p, start, duration: d }) => ({ path: p, start, duration: d })) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
