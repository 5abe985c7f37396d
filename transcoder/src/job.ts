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
  storyboardPlan,
  storyboardVtt,
  thumbnailFilter,
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

async function makeThumbnails(
  work: string,
  source: string,
  meta: Metadata,
  publisher: Publisher,
  options: JobOptions,
): Promise<Thumbnails> {
  const scrub: string[] = [];
  const out: Thumbnails = { default: "", small: "", medium: "", large: "", scrub };
  await mkdir(path.join(work, "thumbnails"), { recursive: true });
  for (const { label, at } of thumbnailTimes(meta.duration)) {
    const first = label === "0";
    const { filter, sizes } = thumbnailFilter(meta, first);
    const seek = first
      ? ["-t", String(Math.min(3, meta.duration))]
      : ["-ss", Math.max(0, Math.min(at, meta.duration - 0.5)).toFixed(3)];
    const outputs = sizes.map((s, i) => ({
      path: `thumbnails/${label}_${s.name}.jpg`,
      options: ["-map", `[s${i}]`, "-frames:v", "1", "-q:v", "3"],
    }));
    await runSimple(source, seek, outputs, { cwd: work, signal: options.signal }, filter);
    for (const o of outputs) await publisher.put(o.path, { file: path.join(work, o.path) });
    if (first) {
      out.small = "thumbnails/0_small.jpg";
      out.medium = "thumbnails/0_medium.jpg";
      out.large = "thumbnails/0_large.jpg";
      out.default = out.medium;
    } else scrub.push(`thumbnails/${label}_medium.jpg`);
  }
  return out;
}

/**
 * Runs a job to its end and reports it. Every output goes to a fixed path, so a job run
 * again for the same video (its transcoder died) overwrites rather than duplicates.
 */
export async function runJob(job: JobRequest, publisher: Publisher, options: JobOptions = {}): Promise<void> {
  const work = path.join(options.workRoot ?? path.join(tmpdir(), "cloudtube-transcoder"), job.video_id);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const progress = new Progress(publisher);
  try {
    await progress.report("probing", 0, true);
    const source = path.join(work, "source");
    await download(job.source_url, source, options.signal);
    const meta = await probeSource(source, job.settings.max_duration_seconds);
    await publisher.event({ type: "probed", metadata: meta });
    await progress.report("transcoding", 5, true);

    const rungs = chooseLadder(meta, job.settings.codec);
    const plan = storyboardPlan(meta);
    const spec = ladderCommand(meta, rungs, job.settings, options.threads ?? 0, plan);
    await mkdir(path.join(work, "storyboard"), { recursive: true });
    const tracks: Track[] = spec.outputs
      .filter((o) => o.dir !== "storyboard")
      .map((o) => ({ name: o.dir, dir: o.dir, rung: rungs.find((r) => r.name === o.dir), published: new Set() }));
    for (const t of tracks) await mkdir(path.join(work, t.dir), { recursive: true });

    // Publish while encoding: the lowest rendition becomes playable after its first
    // segments, as a growing EVENT playlist; the rest are published as they are written.
    const lowest = tracks[0];
    if (!lowest?.rung) throw new JobFailure("transcode_failed", "The ladder has no video rendition.");
    const lowestRung = lowest.rung;
    let playable = false;
    let encoding = true;
    const publishing = (async () => {
      while (encoding) {
        await new Promise((r) => setTimeout(r, options.publishEveryMs ?? 1000));
        for (const t of tracks) await publishSegments(work, t, publisher);
        if (!playable && lowest.published.size > 0) {
          const { text } = await publishSegments(work, lowest, publisher);
          if (!text || readMediaPlaylist(text).segments.length === 0) continue;
          await publisher.put(`${lowest.dir}/index.m3u8`, text);
          const estimate = Math.round((lowestRung.videoBitrate + (meta.has_audio ? AUDIO_BITRATE : 0)) * 1.1);
          const early = renditionOf(lowest, meta, job.settings.codec, { peak: estimate, average: estimate });
          await publisher.put("master.m3u8", masterPlaylist([early]));
          await publisher.event({ type: "rendition_ready", rendition: early, master_updated: true });
          playable = true;
        } else if (playable) {
          const { text } = await publishSegments(work, lowest, publisher);
          if (text) await publisher.put(`${lowest.dir}/index.m3u8`, text);
        }
      }
    })();
    try {
      await runLadder(source, spec, {
        cwd: work,
        signal: options.signal,
        onProgress: (s) => void progress.report("transcoding", 5 + (80 * Math.min(s, meta.duration)) / meta.duration),
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const stderr = String((err as { stderr?: string }).stderr ?? "");
      const last = stderr.trim().split("\n").pop();
      if (failureOf(stderr) === "transcode_failed") {
        throw new JobFailure("transcode_failed", `The encoder could not process this video${last ? `: ${last}` : "."}`);
      }
      throw new JobFailure("malformed_video", `The video could not be decoded to the end${last ? `: ${last}` : "."}`);
    } finally {
      encoding = false;
      await publishing;
    }

    // A cut-off file decodes "successfully" up to where its data ends: compare with the probe.
    const encoded = readMediaPlaylist(
      await readFile(path.join(work, lowest.dir, "index.m3u8"), "utf8").catch(() => ""),
    ).durations.reduce((a, b) => a + b, 0);
    if (encoded < meta.duration * 0.9 - 0.5) {
      throw new JobFailure(
        "malformed_video",
        `Only ${encoded.toFixed(1)} s of the ${meta.duration.toFixed(1)} s video could be decoded; the file may be truncated.`,
      );
    }

    // Final playlists (VOD, with ENDLIST), then the master over every rendition.
    await progress.report("publishing", 85, true);
    const renditions: RenditionOut[] = [];
    for (const t of tracks) {
      const { text } = await publishSegments(work, t, publisher);
      if (!text) throw new JobFailure("transcode_failed", `Rendition ${t.name} produced no playlist.`);
      // Done growing: the final playlist is VOD (ffmpeg has already added #EXT-X-ENDLIST).
      await publisher.put(
        `${t.dir}/index.m3u8`,
        text.replace("#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-PLAYLIST-TYPE:VOD"),
      );
      const rates = await measure(work, t, text);
      const fallback = t.rung ? t.rung.videoBitrate : AUDIO_ONLY_BITRATE;
      renditions.push(
        renditionOf(t, meta, job.settings.codec, { peak: rates.peak || fallback, average: rates.average || fallback }),
      );
      await progress.report("publishing", 85 + (5 * renditions.length) / tracks.length);
    }
    await publisher.put("master.m3u8", masterPlaylist(renditions));
    for (const r of renditions) await publisher.event({ type: "rendition_ready", rendition: r, master_updated: true });

    await progress.report("thumbnails", 90, true);
    const thumbnails = await makeThumbnails(work, source, meta, publisher, options);
    await progress.report("thumbnails", 95);
    await publisher.put("storyboard/sprite.jpg", { file: path.join(work, "storyboard/sprite.jpg") });
    await publisher.put("storyboard/storyboard.vtt", storyboardVtt(plan, meta.duration));
    const storyboard = { image: "storyboard/sprite.jpg", vtt: "storyboard/storyboard.vtt" };
    await publisher.event({ type: "thumbnails_ready", thumbnails, storyboard });
    await progress.report("publishing", 99, true);
    await publisher.event({ type: "completed", metadata: meta, renditions, thumbnails, storyboard });
  } catch (err) {
    if (options.signal?.aborted) return;
    const failure =
      err instanceof JobFailure
        ? err
        : new JobFailure("transcode_failed", err instanceof Error ? err.message : String(err));
    await publisher.clear();
    await publisher.event({ type: "failed", code: failure.code, message: failure.message }).catch(() => {});
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
