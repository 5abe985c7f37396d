// One job: fetch the source, probe it, encode the ladder in one ffmpeg process while
// publishing segments as they are finished, make thumbnails and the storyboard, report.
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  AUDIO_BITRATE,
  AUDIO_ONLY_BITRATE,
  chooseLadder,
  codecsOf,
  failureOf,
  ladderCommand,
  outputFrameRate,
  type Rung,
  type Storyboard as StoryboardPlan,
  storyboardPlan,
  storyboardVtt,
  thumbnailCommand,
  thumbnailTimes,
} from "./ffmpeg.ts";
import { masterPlaylist, readMediaPlaylist } from "./playlists.ts";
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
import { runLadder, runSimple } from "./run.ts";

export interface JobOptions {
  workRoot?: string;
  /** ffmpeg threads per encoder (0 = ffmpeg decides). */
  threads?: number;
  signal?: AbortSignal;
  /** How often finished segments are looked for and published while encoding. */
  publishEveryMs?: number;
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

async function download(url: string, file: string, signal?: AbortSignal) {
  const res = await fetch(url, { signal });
  if (!res.ok || !res.body) throw new Error(`source: HTTP ${res.status}`);
  // Streamed to disk: a source may be gigabytes.
  await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), createWriteStream(file));
}

interface Track {
  name: string;
  dir: string;
  rung?: Rung;
  published: Set<string>;
}

/** Publishes every segment a rendition's playlist lists that is not yet published. */
async function publishSegments(work: string, track: Track, publisher: Publisher) {
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

/** Peak and average bits per second from the stored segments. */
async function measure(work: string, track: Track, text: string) {
  const facts = readMediaPlaylist(text);
  let bits = 0;
  let peak = 0;
  for (const [i, name] of facts.segments.entries()) {
    const size = (await stat(path.join(work, track.dir, name))).size * 8;
    const seconds = facts.durations[i] || 1;
    bits += size;
    peak = Math.max(peak, size / seconds);
  }
  const total = facts.durations.reduce((a, b) => a + b, 0) || 1;
  return { peak: Math.round(peak), average: Math.round(bits / total) };
}

function renditionOf(
  track: Track,
  meta: Metadata,
  codec: JobRequest["settings"]["codec"],
  rates: { peak: number; average: number },
): RenditionOut {
  if (!track.rung) {
    return {
      name: "audio",
      width: 0,
      height: 0,
      bandwidth: rates.peak,
      average_bandwidth: rates.average,
      codecs: "mp4a.40.2",
      playlist: "audio/index.m3u8",
    };
  }
  return {
    name: track.name,
    width: track.rung.width,
    height: track.rung.height,
    bandwidth: rates.peak,
    average_bandwidth: rates.average,
    codecs: codecsOf(track.rung, meta.has_audio, codec),
    frame_rate: outputFrameRate(meta),
    playlist: `${track.dir}/index.m3u8`,
  };
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

/**
 * While the ladder encodes: every finished segment is published as soon as ffmpeg lists it,
 * and once the lowest rendition has its first segments, it goes out as a growing EVENT
 * playlist with a master listing it alone, so the video plays before it is done.
 */
function publishWhileEncoding(job: Job, meta: Metadata, tracks: Track[], lowest: Track, lowestRung: Rung) {
  let playable = false;
  let encoding = true;
  const loop = (async () => {
    while (encoding) {
      await new Promise((r) => setTimeout(r, job.options.publishEveryMs ?? 1000));
      for (const t of tracks) await publishSegments(job.work, t, job.publisher);
      if (!playable && lowest.published.size > 0) {
        const { text } = await publishSegments(job.work, lowest, job.publisher);
        if (!text || readMediaPlaylist(text).segments.length === 0) continue;
        await job.publisher.put(`${lowest.dir}/index.m3u8`, text);
        const estimate = Math.round((lowestRung.videoBitrate + (meta.has_audio ? AUDIO_BITRATE : 0)) * 1.1);
        const early = renditionOf(lowest, meta, job.request.settings.codec, { peak: estimate, average: estimate });
        await job.publisher.put("master.m3u8", masterPlaylist([early]));
        await job.publisher.event({ type: "rendition_ready", rendition: early, master_updated: true });
        playable = true;
      } else if (playable) {
        const { text } = await publishSegments(job.work, lowest, job.publisher);
        if (text) await job.publisher.put(`${lowest.dir}/index.m3u8`, text);
      }
    }
  })();
  return {
    stop: async () => {
      encoding = false;
      await loop;
    },
  };
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

/** Step 2: the whole ladder and the storyboard sprite in one ffmpeg run, published as it goes. */
async function encodeLadder(job: Job, meta: Metadata) {
  await job.progress.report("transcoding", 5, true);
  const rungs = chooseLadder(meta, job.request.settings.codec);
  const plan = storyboardPlan(meta);
  const spec = ladderCommand(meta, rungs, job.request.settings, job.options.threads ?? 0, plan);
  await mkdir(path.join(job.work, "storyboard"), { recursive: true });
  const tracks: Track[] = spec.outputs
    .filter((o) => o.dir !== "storyboard")
    .map((o) => ({ name: o.dir, dir: o.dir, rung: rungs.find((r) => r.name === o.dir), published: new Set() }));
  for (const t of tracks) await mkdir(path.join(job.work, t.dir), { recursive: true });
  const lowest = tracks[0];
  if (!lowest?.rung) throw new JobFailure("transcode_failed", "The ladder has no video rendition.");

  const live = publishWhileEncoding(job, meta, tracks, lowest, lowest.rung);
  try {
    await runLadder(job.source, spec, {
      cwd: job.work,
      signal: job.options.signal,
      onProgress: (s) => void job.progress.report("transcoding", 5 + (80 * Math.min(s, meta.duration)) / meta.duration),
    });
  } catch (err) {
    if (job.options.signal?.aborted) throw err;
    throw ladderFailure(err);
  } finally {
    await live.stop();
  }
  await assertDecodedToEnd(job, meta, lowest);
  return { tracks, plan };
}

/** A cut-off file decodes "successfully" up to where its data ends: compare with the probe. */
async function assertDecodedToEnd(job: Job, meta: Metadata, lowest: Track) {
  const playlist = await readFile(path.join(job.work, lowest.dir, "index.m3u8"), "utf8").catch(() => "");
  const encoded = readMediaPlaylist(playlist).durations.reduce((a, b) => a + b, 0);
  if (encoded < meta.duration * 0.9 - 0.5) {
    throw new JobFailure(
      "malformed_video",
      `Only ${encoded.toFixed(1)} s of the ${meta.duration.toFixed(1)} s video could be decoded; the file may be truncated.`,
    );
  }
}

/** Step 3: final playlists (VOD, with ENDLIST), measured rates, then the master over every rendition. */
async function publishRenditions(job: Job, meta: Metadata, tracks: Track[]): Promise<RenditionOut[]> {
  await job.progress.report("publishing", 85, true);
  const renditions: RenditionOut[] = [];
  for (const t of tracks) {
    const { text } = await publishSegments(job.work, t, job.publisher);
    if (!text) throw new JobFailure("transcode_failed", `Rendition ${t.name} produced no playlist.`);
    // Done growing: the final playlist is VOD (ffmpeg has already added #EXT-X-ENDLIST).
    await job.publisher.put(
      `${t.dir}/index.m3u8`,
      text.replace("#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-PLAYLIST-TYPE:VOD"),
    );
    const rates = await measure(job.work, t, text);
    const fallback = t.rung ? t.rung.videoBitrate : AUDIO_ONLY_BITRATE;
    renditions.push(
      renditionOf(t, meta, job.request.settings.codec, {
        peak: rates.peak || fallback,
        average: rates.average || fallback,
      }),
    );
    await job.progress.report("publishing", 85 + (5 * renditions.length) / tracks.length);
  }
  await job.publisher.put("master.m3u8", masterPlaylist(renditions));
  for (const r of renditions) {
    await job.publisher.event({ type: "rendition_ready", rendition: r, master_updated: true });
  }
  return renditions;
}

/** Step 4: thumbnails at 0, 25, 50 and 75% in three sizes, and the storyboard (sprite and cues). */
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
    for (const o of command.outputs) await job.publisher.put(o.path, { file: path.join(job.work, o.path) });
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
    const { tracks, plan } = await encodeLadder(job, meta);
    const renditions = await publishRenditions(job, meta, tracks);
    const { thumbnails, storyboard } = await publishThumbnails(job, meta, plan);
    await job.progress.report("publishing", 99, true);
    await publisher.event({ type: "completed", metadata: meta, renditions, thumbnails, storyboard });
  } catch (err) {
    await reportFailure(job, err);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
