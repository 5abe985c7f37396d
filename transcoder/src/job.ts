// One job: fetch the source, probe it, encode the ladder while publishing segments as they
// are finished (encode.ts), make thumbnails and the storyboard, report.
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type EncodePlan, encodeLadder, publishSegments } from "./encode.ts";
import {
  AUDIO_ONLY_BITRATE,
  INLINE_POSTER,
  type Storyboard as StoryboardPlan,
  storyboardVtt,
  thumbnailCommand,
  thumbnailTimes,
} from "./ffmpeg.ts";
import { finalPlaylist, masterPlaylist } from "./playlists.ts";
import { probeSource } from "./probe.ts";
import {
  JobFailure,
  type JobRequest,
  type Metadata,
  type RenditionOut,
  type Stage,
  type Thumbnails,
} from "./protocol.ts";
import type { Publisher } from "./publish.ts";
import { measure, renditionOf, streamCodecs, type Track } from "./renditions.ts";
import { runSimple } from "./run.ts";

/** What the contract accepts for the inline poster (contracts/transcoder.ts, Thumbnails.inline). */
const INLINE_POSTER_MAX_BYTES = 8 * 1024;

export interface JobOptions {
  workRoot?: string;
  /** ffmpeg threads per encoder (0 = ffmpeg decides). */
  threads?: number;
  signal?: AbortSignal;
  /** How often finished segments are looked for and published while encoding. */
  publishEveryMs?: number;
  /** How the ladder is encoded (encode.ts); `start-first` unless a benchmark compares. */
  plan?: EncodePlan;
}

/** Progress that never goes down, reported at most every half second per stage change. */
class Progress {
  private value = 0;
  private stage: Stage = "probing";
  private lastSent = 0;
  private readonly publisher: Publisher;
  constructor(publisher: Publisher) {
    this.publisher = publisher;
  }
  async report(stage: Stage, value: number, force = false) {
    const next = Math.max(this.value, Math.min(100, Math.floor(value)));
    const changed = stage !== this.stage || next !== this.value;
    this.value = next;
    this.stage = stage;
    if (!changed && !force) return;
    if (!force && Date.now() - this.lastSent < 500) return;
    this.lastSent = Date.now();
    await this.publisher.event({ type: "progress", stage, progress: next }).catch(() => {});
  }
}

export async function download(url: string, file: string, signal?: AbortSignal) {
  const res = await fetch(url, { signal });
  if (!res.ok || !res.body) throw new Error(`source: HTTP ${res.status}`);
  // Streamed to disk: a source may be gigabytes.
  await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), createWriteStream(file));
}

/** Everything one job's steps share. */
interface Job {
  request: JobRequest;
  publisher: Publisher;
  options: JobOptions;
  progress: Progress;
  /** The job's folder, and the downloaded source in it. */
  work: string;
  source: string;
}

/** Step 1: the source, streamed to disk and probed (non_video, malformed_video, duration_too_long fail here). */
async function fetchAndProbe(job: Job): Promise<Metadata> {
  await job.progress.report("probing", 0, true);
  await download(job.request.source_url, job.source, job.options.signal);
  const meta = await probeSource(job.source, job.request.settings.max_duration_seconds);
  await job.publisher.event({ type: "probed", metadata: meta });
  return meta;
}

/** Step 3: final playlists (VOD, with ENDLIST), measured rates, then the master over every rendition. */
async function publishRenditions(job: Job, meta: Metadata, tracks: Track[]): Promise<RenditionOut[]> {
  await job.progress.report("publishing", 85, true);
  const { settings } = job.request;
  const renditions: RenditionOut[] = [];
  for (const t of tracks) {
    const { text } = await publishSegments(job.work, t, job.publisher);
    if (!text) throw new JobFailure("transcode_failed", `Rendition ${t.name} produced no playlist.`);
    await job.publisher.put(`${t.dir}/index.m3u8`, finalPlaylist(text));
    const rates = await measure(job.work, t, text);
    const fallback = t.rung ? t.rung.videoBitrate : AUDIO_ONLY_BITRATE;
    const codecs = await streamCodecs(job.work, t, text, meta, settings);
    renditions.push(renditionOf(t, meta, codecs, { peak: rates.peak || fallback, average: rates.average || fallback }));
    await job.progress.report("publishing", 85 + (5 * renditions.length) / tracks.length);
  }
  await job.publisher.put("master.m3u8", masterPlaylist(renditions, settings.segment_type));
  for (const r of renditions) {
    await job.publisher.event({ type: "rendition_ready", rendition: r, master_updated: true });
  }
  return renditions;
}

/** The inline poster as a data: URI, or nothing when it came out larger than the page should carry. */
async function inlinePoster(file: string): Promise<string | undefined> {
  const bytes = await readFile(file).catch(() => undefined);
  return bytes && bytes.length <= INLINE_POSTER_MAX_BYTES
    ? `data:image/jpeg;base64,${bytes.toString("base64")}`
    : undefined;
}

/** Step 4: thumbnails at 0, 25, 50 and 75% in three sizes (and the inline poster), and the storyboard (sprite and cues). */
async function publishThumbnails(job: Job, meta: Metadata, plan: StoryboardPlan) {
  await job.progress.report("thumbnails", 90, true);
  await mkdir(path.join(job.work, "thumbnails"), { recursive: true });
  const scrub: string[] = [];
  const thumbnails: Thumbnails = { default: "", small: "", medium: "", large: "", scrub };
  for (const { label, at } of thumbnailTimes(meta.duration)) {
    const command = thumbnailCommand(meta, label, at);
    await runSimple(
      job.source,
      command.inputOptions,
      command.outputs,
      { cwd: job.work, signal: job.options.signal },
      command.filter,
    );
    for (const o of command.outputs) {
      if (o.path === INLINE_POSTER.path) thumbnails.inline = await inlinePoster(path.join(job.work, o.path));
      else await job.publisher.put(o.path, { file: path.join(job.work, o.path) });
    }
    if (label === "0") {
      thumbnails.small = "thumbnails/0_small.jpg";
      thumbnails.medium = "thumbnails/0_medium.jpg";
      thumbnails.large = "thumbnails/0_large.jpg";
      thumbnails.default = thumbnails.medium;
    } else scrub.push(`thumbnails/${label}_medium.jpg`);
  }
  await job.progress.report("thumbnails", 95);
  await job.publisher.put("storyboard/sprite.jpg", { file: path.join(job.work, "storyboard/sprite.jpg") });
  await job.publisher.put("storyboard/storyboard.vtt", storyboardVtt(plan, meta.duration));
  const storyboard = { image: "storyboard/sprite.jpg", vtt: "storyboard/storyboard.vtt" };
  await job.publisher.event({ type: "thumbnails_ready", thumbnails, storyboard });
  return { thumbnails, storyboard };
}

/** A failed job: its partial outputs go, and the Worker hears why (unless the job was cancelled). */
async function reportFailure(job: Job, err: unknown) {
  if (job.options.signal?.aborted) return;
  const failure =
    err instanceof JobFailure
      ? err
      : new JobFailure("transcode_failed", err instanceof Error ? err.message : String(err));
  await job.publisher.clear();
  await job.publisher.event({ type: "failed", code: failure.code, message: failure.message }).catch(() => {});
}

/**
 * Runs a job to its end and reports it. Every output goes to a fixed path, so a job run
 * again for the same video (its transcoder died) overwrites rather than duplicates.
 */
export async function runJob(request: JobRequest, publisher: Publisher, options: JobOptions = {}): Promise<void> {
  const work = path.join(options.workRoot ?? path.join(tmpdir(), "cloudtube-transcoder"), request.video_id);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const job: Job = {
    request,
    publisher,
    options,
    progress: new Progress(publisher),
    work,
    source: path.join(work, "source"),
  };
  try {
    const meta = await fetchAndProbe(job);
    await job.progress.report("transcoding", 5, true);
    const encoded = await encodeLadder(
      {
        request,
        publisher,
        work,
        source: job.source,
        threads: options.threads ?? 0,
        signal: options.signal,
        publishEveryMs: options.publishEveryMs ?? 1000,
        progress: (fraction) => void job.progress.report("transcoding", 5 + 80 * fraction),
      },
      meta,
      options.plan,
    );
    const renditions = await publishRenditions(job, meta, encoded.tracks);
    const { thumbnails, storyboard } = await publishThumbnails(job, meta, encoded.storyboard);
    await job.progress.report("publishing", 99, true);
    await publisher.event({ type: "completed", metadata: meta, renditions, thumbnails, storyboard });
  } catch (err) {
    await reportFailure(job, err);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
