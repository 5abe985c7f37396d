// Plays the Worker's part for transcoder tests: serves a source, keeps every PUT in memory,
// records every event. Real HTTP on loopback, real ffmpeg, clips generated per test.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { JobEvent, JobRequest } from "../src/protocol.ts";
import { ffmpegPath } from "../src/run.ts";

export interface FakeWorker {
  url: string;
  objects: Map<string, Buffer>;
  events: (JobEvent & { at: number })[];
  cleared: number;
  job(videoId: string, source: Buffer, settings?: Partial<JobRequest["settings"]>): JobRequest;
  close(): Promise<void>;
}

export async function fakeWorker(): Promise<FakeWorker> {
  const sources = new Map<string, Buffer>();
  const state = { objects: new Map<string, Buffer>(), events: [] as FakeWorker["events"], cleared: 0 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const [, videoId, kind, ...rest] = url.pathname.split("/");
      if (url.searchParams.get("sig") !== "ok") return void res.writeHead(403).end();
      if (kind === "source") return void res.writeHead(200).end(sources.get(videoId!));
      if (kind === "media" && req.method === "PUT") {
        state.objects.set(rest.join("/"), Buffer.concat(chunks));
        return void res.writeHead(201).end();
      }
      if (kind === "media" && req.method === "DELETE") {
        state.cleared++;
        state.objects.clear();
        return void res.writeHead(204).end();
      }
      if (kind === "events") {
        state.events.push({ ...(JSON.parse(Buffer.concat(chunks).toString()) as JobEvent), at: Date.now() });
        return void res.writeHead(204).end();
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    ...state,
    get cleared() {
      return state.cleared;
    },
    job(videoId, source, settings = {}) {
      sources.set(videoId, source);
      return {
        video_id: videoId,
        source_url: `${url}/${videoId}/source?sig=ok`,
        output: { base_url: `${url}/${videoId}/media`, query: "sig=ok" },
        events_url: `${url}/${videoId}/events?sig=ok`,
        settings: { segment_seconds: 2, max_duration_seconds: 3600, codec: "h264", segment_type: "fmp4", ...settings },
      };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const work = mkdtempSync(path.join(tmpdir(), "transcoder-test-"));

/** A clip made by ffmpeg from lavfi sources (`args` go before the output file). */
export function clip(name: string, args: string[]): Buffer {
  const file = path.join(work, name);
  const run = spawnSync(ffmpegPath, ["-hide_banner", "-loglevel", "error", "-y", ...args, file]);
  if (run.status !== 0) throw new Error(String(run.stderr));
  return readFileSync(file);
}

export { testVideo } from "./clips.ts";

export const clipPath = (name: string) => path.join(work, name);

/** A clip's copy with rotation metadata (a phone held upright), written without re-encoding. */
export function rotated(name: string, from: string, degrees: number): Buffer {
  const file = path.join(work, name);
  const run = spawnSync(ffmpegPath, [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-i",
    path.join(work, from),
    "-c",
    "copy",
    "-metadata:s:v:0",
    `rotate=${degrees}`,
    file,
  ]);
  if (run.status !== 0) throw new Error(String(run.stderr));
  return readFileSync(file);
}

/**
 * What ffmpeg says of media held in memory: its streams, and whether the first video frame
 * is a keyframe. (The npm-shipped ffprobe crashes reading MPEG-TS packets; ffmpeg does not.)
 */
export function describe(bytes: Buffer, ext = "ts") {
  const file = path.join(work, `probe-${Math.random().toString(36).slice(2)}.${ext}`);
  writeFileSync(file, bytes);
  const run = spawnSync(
    ffmpegPath,
    ["-hide_banner", "-i", file, "-map", "0:v:0?", "-frames:v", "1", "-vf", "showinfo", "-f", "null", "-"],
    { encoding: "utf8" },
  );
  const text = run.stderr;
  // No "fps" for a segment of a frame or two (the tail of a clip), so it is optional.
  const video = /Stream #\S+: Video: (\w+)[^\n]*?, (\d+)x(\d+)(?:[^\n]*?, ([\d.]+) fps)?/.exec(text);
  const audio = /Stream #\S+: Audio: (\w+)[^\n]*?, (\d+) Hz, ([\w.]+)/.exec(text);
  // "Video: h264 (High) (...), yuv420p(progressive), ..." and the decoded frame's "fmt:yuv420p".
  const detail = /Stream #\S+: Video: \w+(?: \(([^)]+)\))?[^\n]*?, (\w+)(?:\([^)]*\))?, \d+x\d+/.exec(text);
  return {
    video: video
      ? {
          codec: video[1],
          width: Number(video[2]),
          height: Number(video[3]),
          fps: video[4] === undefined ? undefined : Number(video[4]),
          profile: detail?.[1],
          pixFmt: detail?.[2],
        }
      : undefined,
    /** The pixel format of the first frame actually decoded (absent when nothing decoded). */
    decodedFmt: /\bfmt:(\w+)/.exec(text)?.[1],
    audio: audio ? { codec: audio[1], sampleRate: Number(audio[2]), layout: audio[3] } : undefined,
    firstFrameIsKey: /iskey:1/.test(text),
    image: /Video: mjpeg[^\n]*?, (\d+)x(\d+)/.exec(text)?.slice(1).map(Number),
  };
}

/** ffmpeg's errors decoding every frame of media held in memory ("" when it all decodes). */
export function decodeErrors(bytes: Buffer, ext = "ts"): string {
  const file = path.join(work, `decode-${Math.random().toString(36).slice(2)}.${ext}`);
  writeFileSync(file, bytes);
  const run = spawnSync(ffmpegPath, ["-hide_banner", "-v", "error", "-i", file, "-f", "null", "-"], {
    encoding: "utf8",
  });
  return run.status === 0 ? run.stderr.trim() : `exit ${run.status}: ${run.stderr.trim()}`;
}

/**
 * A segment as a player decodes it: an fMP4 segment after its rendition's initialization
 * segment (alone it has no sample descriptions), a TS segment as it is.
 */
export function playable(objects: Map<string, Buffer>, dir: string, segment: string): { bytes: Buffer; ext: string } {
  const bytes = objects.get(`${dir}/${segment}`);
  if (!bytes) throw new Error(`${dir}/${segment} was not stored`);
  if (!segment.endsWith(".m4s")) return { bytes, ext: "ts" };
  const init = objects.get(`${dir}/init.mp4`);
  if (!init) throw new Error(`${dir}/init.mp4 was not stored`);
  return { bytes: Buffer.concat([init, bytes]), ext: "mp4" };
}

/** The presentation times (s) of the keyframes in media held in memory. */
export function keyframeTimes(bytes: Buffer, ext: string): number[] {
  const file = path.join(work, `keys-${Math.random().toString(36).slice(2)}.${ext}`);
  writeFileSync(file, bytes);
  const run = spawnSync(
    ffmpegPath,
    ["-hide_banner", "-skip_frame", "nokey", "-i", file, "-map", "0:v:0", "-vf", "showinfo", "-f", "null", "-"],
    { encoding: "utf8" },
  );
  return [...run.stderr.matchAll(/pts_time:([\d.]+)/g)].map((m) => Math.round(Number(m[1]) * 1000) / 1000);
}
