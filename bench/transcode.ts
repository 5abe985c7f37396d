// npm run bench:transcode — our pipeline against bare ffmpeg on a generated 60 s 1080p30
// clip (BENCH_SOURCE=camera: a phone-like encoding of it), side by side in one run:
//   pipeline:      runJob (download, probe, one-decode ladder with segments published as
//                  they are written, thumbnails, storyboard) against a loopback Worker stand-in
//   one command:   the same ladder as one bare ffmpeg command (ladderCommand's arguments)
//   per rendition: one ffmpeg process per rendition, one after another
//   in the image:  with CONTAINER_IMAGE set (npm run container:bench builds the image and
//                  sets it), the same job posted to the transcoder running inside its
//                  Container image (Debian's ffmpeg), against the same loopback stand-in
// Reports wall time, ratios, time to first playable / total, real-time factor, peak RSS of
// the ffmpeg processes. BENCH_SECONDS (60) and BENCH_SIZE (1920x1080) change the clip;
// BENCH_SMOKE=1 makes it a 4 s 640x360 clip.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../test/e2e/stack.ts";
import { docker, runTranscoderImage } from "../test/e2e/transcoder.ts";
import { chooseLadder, ladderCommand } from "../transcoder/src/ffmpeg.ts";
import { runJob } from "../transcoder/src/job.ts";
import { probeSource } from "../transcoder/src/probe.ts";
import { JobRequest } from "../transcoder/src/protocol.ts";
import { Publisher } from "../transcoder/src/publish.ts";
import { ffmpegPath } from "../transcoder/src/run.ts";
import { testVideo } from "../transcoder/test/clips.ts";
import { clip, clipPath, fakeWorker } from "../transcoder/test/harness.ts";
import { announceSmoke, check, checkFinite, setting, sized, smokeFooter } from "./mode.ts";

const seconds = setting("BENCH_SECONDS", 60, 4);
const size = process.env.BENCH_SIZE ?? sized("1920x1080", "640x360");
announceSmoke();

/**
 * Peak resident memory of the ffmpeg processes this benchmark started (children of this
 * process, so that ffmpeg runs of anything else on a shared machine are not counted),
 * sampled every 200 ms.
 */
function watchMemory() {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const out = execFileSync("ps", ["--ppid", String(process.pid), "-o", "comm=,rss="], { encoding: "utf8" });
      const rss = out
        .split("\n")
        .map((l) => l.trim().split(/\s+/))
        .filter(([comm]) => comm === "ffmpeg")
        .reduce((s, [, kb]) => s + (Number(kb) || 0), 0);
      peak = Math.max(peak, rss);
    } catch {
      // no child running at this instant
    }
  }, 200);
  return () => {
    clearInterval(timer);
    return peak / 1024;
  };
}

function ffmpeg(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, ["-hide_banner", "-loglevel", "error", "-y", ...args], {
      cwd,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(err))));
  });
}

console.log(`generating a ${seconds} s ${size} 30 fps clip ...`);
// BENCH_SOURCE=camera encodes the clip as phones do (High profile, CABAC, B-frames, 16 Mbit/s),
// which costs more to decode than the default x264 ultrafast (CAVLC, no B-frames).
const sourceCodec =
  process.env.BENCH_SOURCE === "camera"
    ? ["-preset", "veryfast", "-profile:v", "high", "-b:v", "16M", "-maxrate", "16M", "-bufsize", "32M"]
    : ["-preset", "ultrafast", "-crf", "18"];
const source = clip("bench.mp4", testVideo(size, seconds, [], sourceCodec));
const meta = await probeSource(clipPath("bench.mp4"), 3600);
const settings = JobRequest.shape.settings.parse({});
const rungs = chooseLadder(meta, settings.codec);
const spec = ladderCommand(meta, rungs, settings);

async function timed<T>(fn: () => Promise<T>) {
  const memory = watchMemory();
  const started = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - started) / 1000, peakMb: memory(), value };
}

// 1. Our pipeline.
const worker = await fakeWorker();
const job = JobRequest.parse(worker.job("bench", source, { segment_seconds: 6 }));
const started = Date.now();
const ours = await timed(() => runJob(job, new Publisher(job)));
const firstPlayable = worker.events.find((e) => e.type === "rendition_ready") as { at: number } | undefined;
const completed = worker.events.find((e) => e.type === "completed") as
  | { at: number; renditions: unknown[] }
  | undefined;
await worker.close();
console.log(`our pipeline: ${ours.seconds.toFixed(1)} s`);
check(completed, `the pipeline did not complete: ${JSON.stringify(worker.events.at(-1))}`);
check(firstPlayable, "the pipeline completed without a rendition_ready event");
check(
  completed.renditions.length >= rungs.length,
  `the pipeline published ${completed.renditions.length} renditions of ${rungs.length}`,
);

/** Every HLS output of a bare run wrote its playlist (a run that exits 0 having written nothing is no run). */
function checkOutputs(dir: string, what: string) {
  const missing = spec.outputs.filter(
    (o) => o.dir !== "storyboard" && !existsSync(path.join(dir, o.dir, "index.m3u8")),
  );
  check(!missing.length, `${what} wrote no playlist for ${missing.map((o) => o.dir).join(", ")}`);
}

// 1b. The same job inside the Container image, posted to its HTTP face as the Worker does.
const image = process.env.CONTAINER_IMAGE;
const inImage = image ? await runInImage(image) : undefined;
if (inImage)
  console.log(`in the image: ${inImage.seconds.toFixed(1)} s (started in ${inImage.startSeconds.toFixed(1)} s)`);

async function runInImage(tag: string) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  const id = runTranscoderImage(tag, port);
  try {
    while (
      !(await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      await new Promise((r) => setTimeout(r, 100));
    const startSeconds = (performance.now() - startedAt) / 1000;
    const stand = await fakeWorker();
    const job = JobRequest.parse(stand.job("bench-image", source, { segment_seconds: 6 }));
    const posted = Date.now();
    const res = await fetch(`${url}/jobs`, { method: "POST", body: JSON.stringify(job) });
    if (res.status !== 202) throw new Error(`POST /jobs: ${res.status} ${await res.text()}`);
    while (!stand.events.some((e) => e.type === "completed" || e.type === "failed")) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const end = stand.events.find((e) => e.type === "completed" || e.type === "failed")!;
    await stand.close();
    if (end.type !== "completed") throw new Error(`the job failed in the image: ${JSON.stringify(end)}`);
    const first = stand.events.find((e) => e.type === "rendition_ready")!;
    return { seconds: (end.at - posted) / 1000, firstPlayable: (first.at - posted) / 1000, startSeconds };
  } finally {
    docker("rm", "--force", "--volumes", id);
  }
}

// 2. The same ladder as one bare ffmpeg command.
const bareDir = mkdtempSync(path.join(tmpdir(), "bench-bare-ladder-"));
for (const o of spec.outputs) mkdirSync(path.join(bareDir, o.dir), { recursive: true });
const bare = await timed(() =>
  ffmpeg(
    [
      ...spec.inputOptions,
      "-i",
      clipPath("bench.mp4"),
      "-filter_complex",
      spec.complexFilter,
      ...spec.outputs.flatMap((o) => [...o.options, `${o.dir}/index.m3u8`]),
    ],
    bareDir,
  ),
);

checkOutputs(bareDir, "bare ffmpeg");
console.log(`bare one command: ${bare.seconds.toFixed(1)} s`);

// 3. One process per rendition (the spec's "parallel workers", here one after another).
const perDir = mkdtempSync(path.join(tmpdir(), "bench-per-rendition-"));
const per = await timed(async () => {
  for (const [i, o] of spec.outputs.entries()) {
    mkdirSync(path.join(perDir, o.dir), { recursive: true });
    const rung = rungs[i];
    const filter = rung
      ? ["-filter_complex", `[0:v:0]fps=30,scale=${rung.width}:${rung.height},setsar=1,format=yuv420p[o${i}]`]
      : [];
    await ffmpeg(
      [...spec.inputOptions, "-i", clipPath("bench.mp4"), ...filter, ...o.options, `${o.dir}/index.m3u8`],
      perDir,
    );
  }
});
checkOutputs(perDir, "one process per rendition");
console.log(`one process per rendition: ${per.seconds.toFixed(1)} s`);
rmSync(bareDir, { recursive: true, force: true });
rmSync(perDir, { recursive: true, force: true });
// The generated clip (the harness's temporary folder).
rmSync(path.dirname(clipPath("bench.mp4")), { recursive: true, force: true });

const playableAfter = (firstPlayable.at - started) / 1000;
checkFinite({
  pipeline: ours.seconds,
  bare: bare.seconds,
  "per rendition": per.seconds,
  "first playable": playableAfter,
});
console.log(`
| ${seconds} s ${size} 30 fps -> ${rungs.map((r) => r.name).join(", ")}, audio | wall s | real-time factor | peak ffmpeg RSS MB |
|---|---|---|---|
| our pipeline (ladder + publishing + thumbnails + storyboard) | ${ours.seconds.toFixed(1)} | ${(seconds / ours.seconds).toFixed(2)} | ${ours.peakMb.toFixed(0)} |
| bare ffmpeg, the same ladder in one command | ${bare.seconds.toFixed(1)} | ${(seconds / bare.seconds).toFixed(2)} | ${bare.peakMb.toFixed(0)} |
| one ffmpeg process per rendition | ${per.seconds.toFixed(1)} | ${(seconds / per.seconds).toFixed(2)} | ${per.peakMb.toFixed(0)} |${
  inImage
    ? `\n| our pipeline inside the Container image (Debian's ffmpeg) | ${inImage.seconds.toFixed(1)} | ${(seconds / inImage.seconds).toFixed(2)} | n/a |`
    : ""
}

pipeline / bare one-command: ${(ours.seconds / bare.seconds).toFixed(2)} (goal <= 1.10)
per-rendition / pipeline:    ${(per.seconds / ours.seconds).toFixed(2)} (goal >= 1.5)
first playable after ${playableAfter.toFixed(1)} s of ${ours.seconds.toFixed(1)} s: ${((100 * playableAfter) / ours.seconds).toFixed(0)}% (goal <= 35%)${
  inImage
    ? `\nimage / Node process:       ${(inImage.seconds / ours.seconds).toFixed(2)} (first playable after ${inImage.firstPlayable.toFixed(1)} s; the container answered ${inImage.startSeconds.toFixed(1)} s after docker run)`
    : ""
}`);
smokeFooter();
