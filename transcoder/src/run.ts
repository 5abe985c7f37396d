// The one module that runs ffmpeg and ffprobe, through fluent-ffmpeg. Everything else
// builds arguments (ffmpeg.ts) or reads results; swapping the runner touches only this file.
import { createRequire } from "node:module";
import ffmpeg from "fluent-ffmpeg";
import type { LadderCommand } from "./ffmpeg.ts";

const require = createRequire(import.meta.url);
const ffmpegPath: string = process.env.FFMPEG_PATH ?? require("@ffmpeg-installer/ffmpeg").path;
const ffprobePath: string = process.env.FFPROBE_PATH ?? require("@ffprobe-installer/ffprobe").path;
ffmpeg.setFfmpegPath(ffmpegPath);
ffmpeg.setFfprobePath(ffprobePath);

export { ffmpegPath, ffprobePath };

export type ProbeData = ffmpeg.FfprobeData;

export function probe(file: string): Promise<ProbeData> {
  return new Promise((resolve, reject) => ffmpeg.ffprobe(file, (err, data) => (err ? reject(err) : resolve(data))));
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
  const command = ffmpeg({ source: input, cwd: options.cwd }).inputOptions(spec.inputOptions).complexFilter(spec.complexFilter);
  for (const output of spec.outputs) command.output(`${output.dir}/index.m3u8`).outputOptions(output.options);
  return run(command, options);
}

/** One ffmpeg run with raw input and output options, for thumbnails and the storyboard. */
export function runSimple(input: string, inputOptions: string[], outputs: { path: string; options: string[] }[], options: RunOptions, complexFilter?: string) {
  const command = ffmpeg({ source: input, cwd: options.cwd }).inputOptions(inputOptions);
  if (complexFilter) command.complexFilter(complexFilter);
  for (const output of outputs) command.output(output.path).outputOptions(output.options);
  return run(command, options);
}
