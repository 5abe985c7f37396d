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
//
// Then (issue 20), on camera-like clips of 12 s and 60 s at 1080p, today's pipeline against
// the previous one, each run through runJob against the loopback stand-in:
//   previous:  MPEG-TS segments, the whole ladder in one ffmpeg run (plan "ladder")
//   today:     fMP4 (CMAF) segments, the start rendition encoded alone first (plan "start-first")
// and prints time to playable (the first rendition_ready) and to ready (completed) for each,
// with the ratios the issue names (playable <= 5 s for 12 s; playable / previous ready
// <= 0.15 for 60 s), and bytes per rendition TS vs fMP4 (the same encode: same arguments and
// GOPs, so the difference is the container). BENCH_PART=ladder or BENCH_PART=playable runs one
// part; BENCH_PLAYABLE_CLIPS="12,60" and BENCH_PLAYABLE_SIZE (1920x1080) change the clips.
//
// And (BENCH_PART=upload, also in all) what a creator sees on the platform as `npm start` runs
// it (Worker, queue, local transcoder): the 12 s camera-like clip (BENCH_UPLOAD_CLIP) uploaded
// through the API, BENCH_ROUNDS times (3; smoke 1), and the seconds from the completion's
// answer to `playable: true` and to `ready` in GET /videos/{id}/status, polled every 50 ms.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { client } from "../test/e2e/clients.ts";
import { freePort, startStack } from "../test/e2e/stack.ts";
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

const part = process.env.BENCH_PART ?? "all";
check(["all", "ladder", "playable", "upload"].includes(part), `BENCH_PART=${part}: all, ladder, playable or upload`);
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

/** Part 1: our pipeline against bare ffmpeg (one command, one process per rendition). */
async function ladderPart() {
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
}

/** Sums the bytes each rendition stored (init segment and media segments, not its playlist). */
function bytesPerRendition(objects: Map<string, Buffer>): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [key, bytes] of objects) {
    const [name, file] = key.split("/");
    if (!file || !/\.(ts|m4s|mp4)$/.test(file) || ["thumbnails", "storyboard"].includes(name!)) continue;
    sums[name!] = (sums[name!] ?? 0) + bytes.length;
  }
  return sums;
}

interface PipelineRun {
  playable: number;
  ready: number;
  bytes: Record<string, number>;
}

/** One job through runJob against the loopback stand-in: seconds to playable and to ready. */
async function pipelineRun(name: string, source: Buffer, segmentType: "ts" | "fmp4", plan: "ladder" | "start-first") {
  const stand = await fakeWorker();
  try {
    const job = JobRequest.parse(stand.job(name, source, { segment_seconds: 6, segment_type: segmentType }));
    const started = Date.now();
    await runJob(job, new Publisher(job), { plan });
    const first = stand.events.find((e) => e.type === "rendition_ready");
    const done = stand.events.find((e) => e.type === "completed");
    check(first && done, `${name} (${segmentType}, ${plan}) did not complete: ${JSON.stringify(stand.events.at(-1))}`);
    return {
      playable: (first.at - started) / 1000,
      ready: (done.at - started) / 1000,
      bytes: bytesPerRendition(stand.objects),
    } satisfies PipelineRun;
  } finally {
    await stand.close();
  }
}

const playableSize = process.env.BENCH_PLAYABLE_SIZE ?? sized("1920x1080", "640x360");
/** A camera-like source's encoding: High profile, CABAC, B-frames, 16 Mbit/s. */
const CAMERA = ["-preset", "veryfast", "-profile:v", "high", "-b:v", "16M", "-maxrate", "16M", "-bufsize", "32M"];

/** Part 2: time to playable and to ready, previous pipeline against today's, and TS vs fMP4 bytes. */
async function playablePart() {
  const clips = (process.env.BENCH_PLAYABLE_CLIPS ?? sized("12,60", "2,4")).split(",").map(Number);
  check(
    clips.every((c) => c > 0),
    `BENCH_PLAYABLE_CLIPS=${process.env.BENCH_PLAYABLE_CLIPS}: seconds, comma-separated`,
  );
  const rows: string[] = [];
  const verdicts: string[] = [];
  const byteTables: string[] = [];
  for (const clipSeconds of clips) {
    console.log(`generating a camera-like ${clipSeconds} s ${playableSize} clip ...`);
    const source = clip(`playable-${clipSeconds}.mp4`, testVideo(playableSize, clipSeconds, [], CAMERA));
    const previous = await pipelineRun(`prev-${clipSeconds}`, source, "ts", "ladder");
    console.log(
      `previous (TS, one ladder run): playable ${previous.playable.toFixed(1)} s, ready ${previous.ready.toFixed(1)} s`,
    );
    const today = await pipelineRun(`today-${clipSeconds}`, source, "fmp4", "start-first");
    console.log(
      `today (fMP4, start rendition first): playable ${today.playable.toFixed(1)} s, ready ${today.ready.toFixed(1)} s`,
    );
    checkFinite({
      "previous playable": previous.playable,
      "today playable": today.playable,
      "today ready": today.ready,
    });
    const share = today.playable / previous.ready;
    rows.push(
      `| ${clipSeconds} s ${playableSize} | ${previous.playable.toFixed(1)} | ${previous.ready.toFixed(1)} | ${today.playable.toFixed(1)} | ${today.ready.toFixed(1)} | ${share.toFixed(2)} | ${(today.ready / previous.ready).toFixed(2)} |`,
    );
    verdicts.push(
      clipSeconds <= 20
        ? `${clipSeconds} s clip: playable after ${today.playable.toFixed(1)} s (goal <= 5 s; previous ${previous.playable.toFixed(1)} s)`
        : `${clipSeconds} s clip: playable / previous ladder's time ${share.toFixed(2)} (goal <= 0.15)`,
    );
    const names = Object.keys(today.bytes).sort(
      (a, b) => (Number.parseInt(a, 10) || 1e9) - (Number.parseInt(b, 10) || 1e9),
    );
    check(names.length > 0, "no rendition bytes were stored");
    const lines = names.map((n) => {
      const ts = previous.bytes[n] ?? Number.NaN;
      const mp4 = today.bytes[n]!;
      return `| ${n} | ${ts} | ${mp4} | ${(((ts - mp4) / mp4) * 100).toFixed(1)}% |`;
    });
    byteTables.push(
      `\n| ${clipSeconds} s ${playableSize}, camera-like: rendition | TS bytes | fMP4 bytes (init + .m4s) | TS larger by |\n|---|---|---|---|\n${lines.join("\n")}`,
    );
  }
  console.log(`
| clip (camera-like) | previous: playable s | previous: ready s | today: playable s | today: ready s | today playable / previous ready | today ready / previous ready |
|---|---|---|---|---|---|---|
${rows.join("\n")}
${byteTables.join("\n")}

${verdicts.join("\n")}
(previous: MPEG-TS, the whole ladder in one ffmpeg run; today: fMP4, the start rendition alone first; 6 s segments; seconds from the job's start, source download included)`);
}

/**
 * Part 3: upload to playable on the running platform. The clock starts when the upload's
 * completion answers (the creator's bar at 100%), so it holds the queue's delivery, the
 * consumer's dispatch, the transcoder's download of the source and the Worker's handling of
 * its events, besides the encode that part 2 times alone.
 */
async function uploadPart() {
  const clipSeconds = setting("BENCH_UPLOAD_CLIP", 12, 2);
  const rounds = setting("BENCH_ROUNDS", 3, 1);
  console.log(`generating a camera-like ${clipSeconds} s ${playableSize} clip for the platform ...`);
  const name = `upload-${clipSeconds}.mp4`;
  clip(name, testVideo(playableSize, clipSeconds, [], CAMERA));
  const stack = await startStack();
  const rows: { playable: number; ready: number }[] = [];
  try {
    const api = client(stack.url);
    const owner = await api.register();
    for (let round = 1; round <= rounds; round++) {
      const id = await api.upload(owner, clipPath(name), { title: `upload to playable ${round}` });
      const completed = performance.now();
      let playable: number | undefined;
      for (;;) {
        const s = await api.call<{ status: string; playable: boolean }>(owner, `/api/v1/videos/${id}/status`);
        const now = (performance.now() - completed) / 1000;
        if (s.playable) playable ??= now;
        if (s.status === "ready") {
          check(playable !== undefined, "ready without ever being playable");
          rows.push({ playable, ready: now });
          break;
        }
        check(s.status !== "failed", `processing failed: ${JSON.stringify(s)}`);
        check(now < 600, "not ready within 10 minutes");
        await new Promise((r) => setTimeout(r, 50));
      }
      console.log(
        `round ${round}: playable after ${rows.at(-1)!.playable.toFixed(1)} s, ready after ${rows.at(-1)!.ready.toFixed(1)} s`,
      );
    }
  } finally {
    await stack.stop();
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const playable = mid(rows.map((r) => r.playable));
  const ready = mid(rows.map((r) => r.ready));
  checkFinite({ "upload to playable": playable, "upload to ready": ready });
  console.log(`
| ${clipSeconds} s ${playableSize} camera-like, on the platform (median of ${rows.length}) | s after the upload completed |
|---|---|
| playable (status \`playable: true\`) | ${playable.toFixed(1)} |
| ready (every rendition) | ${ready.toFixed(1)} |

upload to playable: ${playable.toFixed(1)} s (goal <= 5 s for a 12 s 1080p clip)`);
}

if (part === "all" || part === "ladder") await ladderPart();
if (part === "all" || part === "playable") await playablePart();
if (part === "all" || part === "upload") await uploadPart();
// The generated clips (the harness's temporary folder).
rmSync(path.dirname(clipPath("bench.mp4")), { recursive: true, force: true });
smokeFooter();
