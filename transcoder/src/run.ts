// The one module that runs ffmpeg and ffprobe, through fluent-ffmpeg. Everything else
// builds arguments (ffmpeg.ts) or reads results; swapping the runner touches only this file.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import ffmpeg from "fluent-ffmpeg";
import type { LadderCommand } from "./ffmpeg.ts";

const require = createRequire(import.meta.url);
const ffmpegPath: string = process.env.FFMPEG_PATH ?? require("@ffmpeg-installer/ffmpeg").path;
const ffprobePath: string = process.env.FFPROBE_PATH ?? require("@ffprobe-installer/ffprobe").path;
ffmpeg.setFfmpegPath(ffmpegPath);
ffmpeg.setFfprobePath(ffprobePath);

export { ffmpegPath, ffprobePath };

export interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  bit_rate?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number }[];
}
export interface ProbeData {
  streams: ProbeStream[];
  format: { duration?: string; bit_rate?: string; format_name?: string };
}

const exec = promisify(execFile);

/**
 * ffprobe's JSON (fluent-ffmpeg's own parser drops the display matrix that carries a phone
 * video's rotation). The npm-shipped ffprobe crashes on sources it must read packets of to
 * describe (MPEG-TS); then ffmpeg's own description of the input stands in.
 */
export async function probe(file: string): Promise<ProbeData> {
  try {
    const { stdout } = await exec(ffprobePath, ["-v", "error", "-show_streams", "-show_format", "-of", "json", file], {
      maxBuffer: 16 << 20,
    });
    return JSON.parse(stdout) as ProbeData;
  } catch (err) {
    if ((err as { signal?: string }).signal !== "SIGSEGV") throw err;
    return describeWithFfmpeg(file);
  }
}

async function describeWithFfmpeg(file: string): Promise<ProbeData> {
  const text = await exec(ffmpegPath, ["-hide_banner", "-i", file]).then(
    (r) => r.stderr,
    (e: { stderr?: string }) => e.stderr ?? "",
  );
  if (/Invalid data found/.test(text)) throw new Error(text);
  const [, h, m, s] = /Duration: (\d+):(\d+):([\d.]+)/.exec(text) ?? [];
  const video = /Stream #\S+: Video: (\w+)[^\n]*?, (\d+)x(\d+)[^\n]*?(?:, ([\d.]+) fps)?/.exec(text);
  const rotate = /rotate\s*:\s*(-?\d+)/.exec(text)?.[1];
  const streams: ProbeStream[] = [];
  if (video) {
    streams.push({
      codec_type: "video",
      codec_name: video[1],
      width: Number(video[2]),
      height: Number(video[3]),
      avg_frame_rate: `${Number(video[4] ?? 30) * 1000}/1000`,
      tags: rotate ? { rotate } : undefined,
    });
  }
  if (/Stream #\S+: Audio:/.test(text)) streams.push({ codec_type: "audio" });
  const duration = h === undefined ? undefined : String(Number(h) * 3600 + Number(m) * 60 + Number(s));
  return { streams, format: { duration } };
}

/** Seconds of output written so far, from fluent-ffmpeg's progress `timemark`. */
const seconds = (timemark: string) => {
  const [h, m, s] = timemark.split(":").map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
};

export interface RunOptions {
  cwd: string;
  onProgress?: (outputSeconds: number) => void;
  signal?: AbortSignal;
}

function run(command: ffmpeg.FfmpegCommand, options: RunOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    command
      .on("stderr", (line: string) => {
        stderr = `${stderr}${line}\n`.slice(-4000);
      })
      .on("progress", (p: { timemark: string }) => options.onProgress?.(seconds(p.timemark)))
      .on("error", (err: Error) => reject(Object.assign(err, { stderr })))
      .on("end", () => resolve());
    options.signal?.addEventListener("abort", () => command.kill("SIGKILL"), { once: true });
    command.run();
  });
}

/** Runs the whole ladder in one ffmpeg process (ffmpeg.ts: ladderCommand). */
export function runLadder(input: string, spec: LadderCommand, options: RunOptions): Promise<void> {
  // Relative output paths resolve against the job's folder.
  const command = ffmpeg({ source: input, cwd: options.cwd })
    .inputOptions(spec.inputOptions)
    .complexFilter(spec.complexFilter);
  for (const output of spec.outputs) {
    command
      .output(output.dir === "storyboard" ? "storyboard/sprite.jpg" : `${output.dir}/index.m3u8`)
      .outputOptions(output.options);
  }
  return run(command, options);
}

/** One ffmpeg run with raw input and output options, for thumbnails and the storyboard. */
export function runSimple(
  input: string,
  inputOptions: string[],
  outputs: { path: string; options: string[] }[],
  options: RunOptions,
  complexFilter?: string,
) {
  const command = ffmpeg({ source: input, cwd: options.cwd }).inputOptions(inputOptions);
  if (complexFilter) command.complexFilter(complexFilter);
  for (const output of outputs) command.output(output.path).outputOptions(output.options);
  return run(command, options);
}

/** One plain ffmpeg run (audio extraction, silence detection); its stderr, or a rejection with it. */
export async function runFfmpeg(args: string[], signal?: AbortSignal): Promise<string> {
  const { stderr } = await exec(ffmpegPath, args, { maxBuffer: 64 << 20, signal }).catch(
    (err: Error & { stderr?: string }) => {
      throw Object.assign(new Error(`ffmpeg failed: ${(err.stderr ?? err.message).slice(-1000)}`), {
        stderr: err.stderr,
      });
    },
  );
  return stderr;
}
