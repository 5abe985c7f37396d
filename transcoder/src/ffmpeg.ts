// Pure ffmpeg argument builders: what to encode and how. No I/O here; run.ts executes.
import type { JobSettings, Metadata } from "./protocol.ts";

/** The ladder by the picture's short side (a portrait 1080x1920 video is "1080p"). */
export const LADDER = [144, 240, 360, 480, 720, 1080, 1440, 2160] as const;

/**
 * Bits per pixel per frame for H.264 at each rung (smaller pictures need more per pixel);
 * H.265 takes about 60% of it for the same quality.
 */
const BITS_PER_PIXEL: Record<(typeof LADDER)[number], number> = {
  144: 0.2,
  240: 0.15,
  360: 0.12,
  480: 0.1,
  720: 0.08,
  1080: 0.07,
  1440: 0.06,
  2160: 0.05,
};

export interface Rung {
  name: string;
  width: number;
  height: number;
  /** Target video bitrate, bits/s. */
  videoBitrate: number;
  /** x264 level for the CODECS string and the encoder. */
  level: string;
}

export const AUDIO_BITRATE = 128_000;
export const AUDIO_ONLY_BITRATE = 64_000;

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** The output frame rate: the source's, capped at 60, 30 when it cannot be read. */
export function outputFrameRate(source: Pick<Metadata, "frame_rate">): number {
  const fps = source.frame_rate > 0 && Number.isFinite(source.frame_rate) ? source.frame_rate : 30;
  return Math.min(60, Math.round(fps * 1000) / 1000);
}

function levelFor(width: number, height: number, fps: number): string {
  // H.264 level by macroblocks per second (Table A-1), the few we reach.
  const mbps = Math.ceil(width / 16) * Math.ceil(height / 16) * fps;
  if (mbps <= 40_500) return "3.0";
  if (mbps <= 108_000) return "3.1";
  if (mbps <= 216_000) return "3.2";
  if (mbps <= 245_760) return "4.0";
  if (mbps <= 522_240) return "4.2";
  if (mbps <= 983_040) return "5.1";
  return "5.2";
}

/**
 * The renditions for a source: every rung up to the source's short side (never above it),
 * at least the lowest one, sized to keep the aspect with even dimensions.
 */
export function chooseLadder(
  source: Pick<Metadata, "width" | "height" | "bitrate" | "frame_rate">,
  codec: JobSettings["codec"] = "h264",
): Rung[] {
  const short = Math.min(source.width, source.height);
  const landscape = source.width >= source.height;
  const fps = outputFrameRate(source);
  const rungs = LADDER.filter((r) => r <= short);
  if (!rungs.length) rungs.push(LADDER[0]);
  return rungs.map((rung) => {
    const scale = Math.min(1, rung / short);
    const width = landscape ? even(source.width * scale) : even(Math.min(rung, source.width));
    const height = landscape ? even(Math.min(rung, source.height)) : even(source.height * scale);
    let bitrate = width * height * fps * BITS_PER_PIXEL[rung] * (codec === "h265" ? 0.6 : 1);
    // No point spending more than the source had (plus a little for re-encoding loss).
    if (source.bitrate > 0) bitrate = Math.min(bitrate, source.bitrate * 1.1);
    bitrate = Math.max(bitrate, 80_000);
    return {
      name: `${rung}p`,
      width,
      height,
      videoBitrate: Math.round(bitrate / 1000) * 1000,
      level: levelFor(width, height, fps),
    };
  });
}

/** RFC 6381 CODECS for a rendition: avc1.PPCCLL (High profile) or hvc1, plus AAC-LC. */
export function codecsOf(rung: Pick<Rung, "level">, hasAudio: boolean, codec: JobSettings["codec"] = "h264"): string {
  const level = Math.round(Number(rung.level) * 10);
  const video = codec === "h265" ? `hvc1.1.6.L${level * 3}.B0` : `avc1.6400${level.toString(16).padStart(2, "0")}`;
  return hasAudio ? `${video},mp4a.40.2` : video;
}

export interface OutputSpec {
  /** Relative directory of the rendition (its playlist is `${dir}/index.m3u8`). */
  dir: string;
  options: string[];
}

export interface LadderCommand {
  inputOptions: string[];
  complexFilter: string;
  outputs: OutputSpec[];
}

/**
 * The rendition a video plays with first: the lowest whose short side is at least 360 (a
 * picture worth watching, cheap to encode, a small first segment), or the top of a ladder
 * that stops below it. The job encodes it alone before the rest, so the video plays early.
 */
export function startRung(rungs: Rung[]): Rung | undefined {
  return rungs.find((r) => Math.min(r.width, r.height) >= 360) ?? rungs.at(-1);
}

/** What one ffmpeg run writes beside its video renditions. */
export interface Extras {
  /** The audio-only rendition (when the source has audio). */
  audioOnly?: boolean;
  /** The storyboard sprite, on the same decode. */
  storyboard?: Storyboard;
}

/**
 * One ffmpeg process for `rungs` (the whole ladder, or a part of it): one decode, `split` into
 * a scaler per rung, and an HLS output per rendition, plus the audio-only one and the
 * storyboard when asked. Keyframes are forced every 2 s at the same times in every rendition
 * (closed GOPs, no scene-cut keyframes), and every rendition's arguments depend on its rung
 * alone, so a rung encoded in a run of its own has the GOPs and segment boundaries it has in
 * the whole ladder: segments line up across renditions and players can switch at any boundary.
 */
export function ladderCommand(
  source: Metadata,
  rungs: Rung[],
  settings: JobSettings,
  threads = 0,
  { audioOnly = true, storyboard }: Extras = {},
): LadderCommand {
  const fps = outputFrameRate(source);
  const gop = Math.max(1, Math.round(fps * 2));
  const branches = rungs.length + (storyboard ? 1 : 0);
  const split = Array.from({ length: branches }, (_, i) => `[v${i}]`).join("");
  const scalers = rungs.map(
    (r, i) => `[v${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1,format=yuv420p[o${i}]`,
  );
  // The storyboard rides on the same decode: one more branch, tiled into a single image.
  if (storyboard) scalers.push(`[v${rungs.length}]${storyboard.filter}[sb]`);
  const complexFilter = [`[0:v:0]fps=${fps},split=${branches}${split}`, ...scalers].join(";");
  const hls = (dir: string) => [
    "-f",
    "hls",
    "-hls_time",
    String(settings.segment_seconds),
    // EVENT while encoding: ffmpeg rewrites the playlist after every segment, so finished
    // segments can be published at once; the job marks the final playlist VOD.
    "-hls_playlist_type",
    "event",
    "-hls_flags",
    "independent_segments",
    "-hls_segment_type",
    settings.segment_type === "fmp4" ? "fmp4" : "mpegts",
    ...(settings.segment_type === "fmp4" ? ["-hls_fmp4_init_filename", "init.mp4"] : []),
    "-hls_segment_filename",
    `${dir}/seg_%05d.${settings.segment_type === "fmp4" ? "m4s" : "ts"}`,
  ];
  const audio = source.has_audio
    ? ["-map", "0:a:0", "-c:a", "aac", "-b:a", String(AUDIO_BITRATE), "-ac", "2", "-ar", "48000"]
    : [];
  const outputs: OutputSpec[] = rungs.map((r, i) => ({
    dir: r.name,
    options: [
      "-map",
      `[o${i}]`,
      ...audio,
      ...(settings.codec === "h265"
        ? [
            "-c:v",
            "libx265",
            "-tag:v",
            "hvc1",
            "-x265-params",
            `keyint=${gop}:min-keyint=${gop}:scenecut=0:open-gop=0:log-level=error`,
          ]
        : [
            "-c:v",
            "libx264",
            "-profile:v",
            "high",
            "-level:v",
            r.level,
            "-x264-params",
            `keyint=${gop}:min-keyint=${gop}:scenecut=0:open-gop=0`,
          ]),
      "-preset",
      "veryfast",
      "-threads",
      String(threads),
      "-b:v",
      String(r.videoBitrate),
      "-maxrate",
      String(Math.round(r.videoBitrate * 1.5)),
      "-bufsize",
      String(r.videoBitrate * 2),
      "-force_key_frames",
      "expr:gte(t,n_forced*2)",
      "-g",
      String(gop),
      ...hls(r.name),
    ],
  }));
  if (source.has_audio && audioOnly) {
    outputs.push({
      dir: "audio",
      options: [
        "-map",
        "0:a:0",
        "-vn",
        "-c:a",
        "aac",
        "-b:a",
        String(AUDIO_ONLY_BITRATE),
        "-ac",
        "2",
        "-ar",
        "48000",
        ...hls("audio"),
      ],
    });
  }
  if (storyboard) outputs.push({ dir: "storyboard", options: ["-map", "[sb]", "-frames:v", "1", "-q:v", "5"] });
  return { inputOptions: ["-vsync", "cfr"], complexFilter, outputs };
}

/** Thumbnail widths; heights follow the aspect. */
export const THUMBNAIL_WIDTHS = { small: 320, medium: 640, large: 1280 } as const;

export function thumbnailTimes(duration: number): { label: string; at: number }[] {
  return [
    { label: "0", at: 0 },
    { label: "25", at: duration * 0.25 },
    { label: "50", at: duration * 0.5 },
    { label: "75", at: duration * 0.75 },
  ];
}

/**
 * The frame the watch page shows inline (a data: URI in the HTML) while its player loads: small
 * and coarse on purpose, a few kilobytes, scaled up under the real picture.
 */
export const INLINE_POSTER = { path: "thumbnails/0_inline.jpg", width: 160, quality: 12 } as const;

/**
 * Three sizes of one frame (and, for the first, the inline poster). At 0 s the `thumbnail`
 * filter picks the most representative of the first frames, which skips a black or faded-in
 * first frame.
 */
export function thumbnailFilter(
  source: Pick<Metadata, "width" | "height">,
  first: boolean,
): { filter: string; sizes: { name: keyof typeof THUMBNAIL_WIDTHS; width: number; height: number }[] } {
  const sizes = (Object.keys(THUMBNAIL_WIDTHS) as (keyof typeof THUMBNAIL_WIDTHS)[]).map((name) => {
    const width = even(Math.min(THUMBNAIL_WIDTHS[name], source.width));
    return { name, width, height: even((source.height * width) / source.width) };
  });
  const pick = first ? "thumbnail=50," : "";
  const branches = sizes.map((s, i) => `[t${i}]scale=${s.width}:${s.height}[s${i}]`);
  if (first) {
    const width = even(Math.min(INLINE_POSTER.width, source.width));
    branches.push(`[t${sizes.length}]scale=${width}:${even((source.height * width) / source.width)}[inline]`);
  }
  const split = Array.from({ length: branches.length }, (_, i) => `[t${i}]`).join("");
  return { filter: `[0:v:0]${pick}split=${branches.length}${split};${branches.join(";")}`, sizes };
}

/**
 * The ffmpeg run for the thumbnails at one time: the first one (label "0") picks from the
 * first 3 s (`thumbnail`) and also writes the inline poster, the others seek to their time
 * (just short of the end at 100%).
 */
export function thumbnailCommand(source: Pick<Metadata, "width" | "height" | "duration">, label: string, at: number) {
  const first = label === "0";
  const { filter, sizes } = thumbnailFilter(source, first);
  const inputOptions = first
    ? ["-t", String(Math.min(3, source.duration))]
    : ["-ss", Math.max(0, Math.min(at, source.duration - 0.5)).toFixed(3)];
  const outputs = sizes.map((s, i) => ({
    path: `thumbnails/${label}_${s.name}.jpg`,
    options: ["-map", `[s${i}]`, "-frames:v", "1", "-q:v", "3"],
  }));
  if (first) {
    outputs.push({
      path: INLINE_POSTER.path,
      options: ["-map", "[inline]", "-frames:v", "1", "-q:v", String(INLINE_POSTER.quality)],
    });
  }
  return { inputOptions, outputs, filter };
}

export interface Storyboard {
  interval: number;
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
  filter: string;
}

/** A sprite of small frames every `interval` s (at most 100 tiles) for scrubbing previews. */
export function storyboardPlan(source: Pick<Metadata, "duration" | "width" | "height">): Storyboard {
  const interval = Math.max(1, Math.ceil(source.duration / 100));
  const count = Math.max(1, Math.ceil(source.duration / interval));
  const columns = Math.min(10, count);
  const rows = Math.ceil(count / columns);
  const tileWidth = 160;
  const tileHeight = even((source.height * tileWidth) / source.width);
  return {
    interval,
    columns,
    rows,
    tileWidth,
    tileHeight,
    filter: `fps=1/${interval},scale=${tileWidth}:${tileHeight},tile=${columns}x${rows}`,
  };
}

const timestamp = (s: number) => {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = (s % 60).toFixed(3).padStart(6, "0");
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${sec}`;
};

/** WebVTT cues pointing into the sprite with `#xywh=` fragments. */
export function storyboardVtt(plan: Storyboard, duration: number, image = "sprite.jpg"): string {
  const cues = ["WEBVTT", ""];
  const count = Math.ceil(duration / plan.interval);
  for (let i = 0; i < count; i++) {
    const start = i * plan.interval;
    const end = Math.min(duration, start + plan.interval);
    const x = (i % plan.columns) * plan.tileWidth;
    const y = Math.floor(i / plan.columns) * plan.tileHeight;
    cues.push(
      `${timestamp(start)} --> ${timestamp(end)}`,
      `${image}#xywh=${x},${y},${plan.tileWidth},${plan.tileHeight}`,
      "",
    );
  }
  return cues.join("\n");
}

/**
 * Whose fault a failed ladder run was, from ffmpeg's stderr: an encoder or filter graph
 * that would not start is ours (`transcode_failed`); anything else, after a probe that
 * succeeded, is the source failing to decode (`malformed_video`).
 */
export function failureOf(stderr: string): "malformed_video" | "transcode_failed" {
  return /error (?:while opening encoder|initializing output stream|reinitializing filters)|failed to configure|unknown encoder|encoder not found|cannot allocate memory/i.test(
    stderr,
  )
    ? "transcode_failed"
    : "malformed_video";
}
