// Step 2 of a job: the ladder encoded, and every finished segment published while ffmpeg
// writes the next, so that the video plays long before it is done.
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import {
  AUDIO_BITRATE,
  chooseLadder,
  failureOf,
  type LadderCommand,
  ladderCommand,
  type Rung,
  type Storyboard,
  startRung,
  storyboardPlan,
} from "./ffmpeg.ts";
import { masterPlaylist, readMediaPlaylist } from "./playlists.ts";
import { JobFailure, type JobRequest, type Metadata } from "./protocol.ts";
import type { Publisher } from "./publish.ts";
import { renditionOf, streamCodecs, type Track } from "./renditions.ts";
import { runLadder } from "./run.ts";

/**
 * How the ladder is encoded:
 * - `start-first` (the default): the start rendition (`startRung`: 360p, or the top of a
 *   shorter ladder) in an ffmpeg run of its own, which has its first segment out after a few
 *   seconds of work; the rest of the ladder, the audio-only rendition and the storyboard in
 *   a second run, started as soon as the video plays. The second decode costs a little of
 *   the total; the renditions are encoded exactly as the whole ladder would encode them.
 * - `ladder`: everything in one ffmpeg run (one decode); the lowest rendition plays once the
 *   whole ladder has encoded its first segment. Kept for `bench:transcode`'s comparison.
 */
export type EncodePlan = "start-first" | "ladder";

export interface EncodeJob {
  request: JobRequest;
  publisher: Publisher;
  /** The job's folder and the downloaded source in it. */
  work: string;
  source: string;
  threads: number;
  signal?: AbortSignal;
  /** How often finished segments are looked for and published while encoding. */
  publishEveryMs: number;
  /** Encoding progress, 0 to 1. */
  progress(fraction: number): void;
}

/** Publishes every file a rendition's playlist lists (init segment first) that is not yet published. */
export async function publishSegments(work: string, track: Track, publisher: Publisher) {
  const text = await readFile(path.join(work, track.dir, "index.m3u8"), "utf8").catch(() => "");
  if (!text) return { text, published: 0 };
  const facts = readMediaPlaylist(text);
  // ffmpeg lists a segment only once it is complete, so anything listed can go.
  for (const name of [...(facts.init ? [facts.init] : []), ...facts.segments]) {
    if (track.published.has(name)) continue;
    await publisher.put(`${track.dir}/${name}`, { file: path.join(work, track.dir, name) });
    track.published.add(name);
  }
  return { text, published: facts.segments.length };
}

/** An ffmpeg failure as the uploader's code: our encoder's fault, or the source's. */
function ladderFailure(err: unknown): JobFailure {
  const stderr = String((err as { stderr?: string }).stderr ?? "");
  const last = stderr.trim().split("\n").pop();
  const tail = last ? `: ${last}` : ".";
  return failureOf(stderr) === "transcode_failed"
    ? new JobFailure("transcode_failed", `The encoder could not process this video${tail}`)
    : new JobFailure("malformed_video", `The video could not be decoded to the end${tail}`);
}

/** One ffmpeg run of the plan, its share of the encoding work, and the tracks it writes. */
interface Run {
  spec: LadderCommand;
  weight: number;
  tracks: Track[];
}

function runOf(spec: LadderCommand, weight: number, rungs: ReturnType<typeof chooseLadder>): Run {
  const tracks = spec.outputs
    .filter((o) => o.dir !== "storyboard")
    .map((o) => ({ name: o.dir, dir: o.dir, rung: rungs.find((r) => r.name === o.dir), published: new Set<string>() }));
  return { spec, weight, tracks };
}

/** The plan's ffmpeg runs, and the rendition that makes the video playable. */
function planRuns(job: EncodeJob, meta: Metadata, plan: EncodePlan, storyboard: Storyboard) {
  const { settings } = job.request;
  const rungs = chooseLadder(meta, settings.codec);
  const start = plan === "start-first" ? startRung(rungs) : undefined;
  if (!start) {
    const run = runOf(ladderCommand(meta, rungs, settings, job.threads, { storyboard }), 1, rungs);
    return { runs: [run], early: run.tracks[0], rungs };
  }
  const rest = rungs.filter((r) => r !== start);
  const first = runOf(ladderCommand(meta, [start], settings, job.threads, { audioOnly: false }), 0.25, rungs);
  const second = runOf(ladderCommand(meta, rest, settings, job.threads, { storyboard }), 0.75, rungs);
  return { runs: [first, second], early: first.tracks[0], rungs };
}

/** How often the early rendition's first segment is looked for, until it is out. */
const ANNOUNCE_EVERY_MS = 200;

/**
 * While encoding: every finished segment is published as soon as ffmpeg lists it, and once
 * the early rendition has its first segment, it goes out as a growing EVENT playlist with a
 * master listing it alone: the video plays before it is done. `playable` settles then (or
 * when encoding stops without it).
 */
function publishWhileEncoding(job: EncodeJob, meta: Metadata, tracks: Track[], early: Track, rung: Rung) {
  let encoding = true;
  let announced = false;
  let markPlayable: () => void = () => {};
  const playable = new Promise<void>((resolve) => (markPlayable = resolve));
  const announce = async () => {
    const { text } = await publishSegments(job.work, early, job.publisher);
    if (!text || readMediaPlaylist(text).segments.length === 0) return;
    await job.publisher.put(`${early.dir}/index.m3u8`, text);
    const estimate = Math.round((rung.videoBitrate + (meta.has_audio ? AUDIO_BITRATE : 0)) * 1.1);
    const codecs = await streamCodecs(job.work, early, text, meta, job.request.settings);
    const rendition = renditionOf(early, meta, codecs, { peak: estimate, average: estimate });
    await job.publisher.put("master.m3u8", masterPlaylist([rendition], job.request.settings.segment_type));
    await job.publisher.event({ type: "rendition_ready", rendition, master_updated: true });
    announced = true;
    markPlayable();
  };
  const loop = (async () => {
    while (encoding) {
      // Until the video plays, its first segment is looked for more often: the wait after
      // ffmpeg lists it is time to playable (half the period on average).
      const every = announced ? job.publishEveryMs : Math.min(job.publishEveryMs, ANNOUNCE_EVERY_MS);
      await new Promise((r) => setTimeout(r, every));
      for (const t of tracks) if (t !== early) await publishSegments(job.work, t, job.publisher);
      if (!announced) await announce();
      else {
        const { text } = await publishSegments(job.work, early, job.publisher);
        if (text) await job.publisher.put(`${early.dir}/index.m3u8`, text);
      }
    }
  })();
  return {
    playable,
    stop: async () => {
      encoding = false;
      await loop;
      markPlayable();
    },
  };
}

/** A cut-off file decodes "successfully" up to where its data ends: compare with the probe. */
async function assertDecodedToEnd(work: string, meta: Metadata, track: Track) {
  const playlist = await readFile(path.join(work, track.dir, "index.m3u8"), "utf8").catch(() => "");
  const encoded = readMediaPlaylist(playlist).durations.reduce((a, b) => a + b, 0);
  if (encoded < meta.duration * 0.9 - 0.5) {
    throw new JobFailure(
      "malformed_video",
      `Only ${encoded.toFixed(1)} s of the ${meta.duration.toFixed(1)} s video could be decoded; the file may be truncated.`,
    );
  }
}

/**
 * Encodes the whole ladder (and the storyboard sprite) by `plan`, publishing as it goes.
 * Answers every track in ladder order (video from the lowest up, then audio) and the
 * storyboard's plan.
 */
export async function encodeLadder(job: EncodeJob, meta: Metadata, plan: EncodePlan = "start-first") {
  const storyboard = storyboardPlan(meta);
  const { runs, early, rungs } = planRuns(job, meta, plan, storyboard);
  if (!early?.rung) throw new JobFailure("transcode_failed", "The ladder has no video rendition.");
  const tracks = runs.flatMap((r) => r.tracks);
  await mkdir(path.join(job.work, "storyboard"), { recursive: true });
  for (const t of tracks) await mkdir(path.join(job.work, t.dir), { recursive: true });

  // One failed run stops the other: the job fails either way.
  const stopAll = new AbortController();
  const onAbort = () => stopAll.abort();
  job.signal?.addEventListener("abort", onAbort, { once: true });
  const done = runs.map(() => 0);
  const report = () => job.progress(runs.reduce((sum, r, i) => sum + r.weight * (done[i] ?? 0), 0));
  const encode = (run: Run, i: number) =>
    runLadder(job.source, run.spec, {
      cwd: job.work,
      signal: stopAll.signal,
      onProgress: (s) => {
        done[i] = Math.min(1, s / meta.duration);
        report();
      },
    }).catch((err: unknown) => {
      stopAll.abort();
      throw err;
    });

  const live = publishWhileEncoding(job, meta, tracks, early, early.rung);
  try {
    const [head, ...tail] = runs;
    const first = head ? encode(head, 0) : Promise.resolve();
    // The rest of the ladder waits until the video plays, so that the start rendition has
    // the machine to itself until then; a failed first run does not start it.
    const rest = tail.map(async (run, i) => {
      await Promise.race([live.playable, first.catch(() => {})]);
      if (!stopAll.signal.aborted) await encode(run, i + 1);
    });
    const results = await Promise.allSettled([first, ...rest]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      if (job.signal?.aborted) throw failed.reason;
      throw ladderFailure(failed.reason);
    }
  } finally {
    job.signal?.removeEventListener("abort", onAbort);
    await live.stop();
  }
  await assertDecodedToEnd(job.work, meta, early);
  const order = (t: Track) => (t.rung ? rungs.indexOf(t.rung) : rungs.length);
  return { tracks: [...tracks].sort((a, b) => order(a) - order(b)), storyboard };
}
