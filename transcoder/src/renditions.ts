// A finished (or growing) rendition as the master playlist and the Worker describe it: its
// measured rates and the codecs its own bytes declare.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { codecsOf, outputFrameRate, type Rung } from "./ffmpeg.ts";
import { avcCodecOfTransportStream, readInit } from "./mp4.ts";
import { readMediaPlaylist } from "./playlists.ts";
import type { JobSettings, Metadata, RenditionOut } from "./protocol.ts";

/** One HLS output of a job: a video rendition (with its rung) or the audio-only one. */
export interface Track {
  name: string;
  dir: string;
  rung?: Rung;
  /** Files of the rendition already stored through the Worker. */
  published: Set<string>;
}

/** Peak and average bits per second of the segments a playlist lists. */
export async function measure(work: string, track: Track, playlist: string) {
  const facts = readMediaPlaylist(playlist);
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

/**
 * CODECS as the stream declares it (RFC 6381): from the fMP4 initialization segment's sample
 * entries, or from a TS segment's H.264 sequence parameter set; what the encoder was asked
 * for only when neither can be read.
 */
export async function streamCodecs(
  work: string,
  track: Track,
  playlist: string,
  meta: Metadata,
  settings: JobSettings,
): Promise<string> {
  const asked = track.rung ? codecsOf(track.rung, meta.has_audio, settings.codec) : "mp4a.40.2";
  const facts = readMediaPlaylist(playlist);
  try {
    if (facts.init) {
      const init = readInit(await readFile(path.join(work, track.dir, facts.init)));
      const video = init.tracks.filter((t) => t.handler === "vide").map((t) => t.codec);
      const audio = init.tracks.filter((t) => t.handler === "soun").map((t) => t.codec);
      const all = [...video, ...audio];
      if (all.length && all.every(Boolean)) return all.join(",");
    } else if (track.rung && facts.segments[0]) {
      const video = avcCodecOfTransportStream(await readFile(path.join(work, track.dir, facts.segments[0])));
      if (video && settings.codec === "h264") return meta.has_audio ? `${video},mp4a.40.2` : video;
    }
  } catch {
    // An output this module cannot read is described as it was asked for.
  }
  return asked;
}

/** The rendition as the Worker stores it and the master lists it. */
export function renditionOf(
  track: Track,
  meta: Metadata,
  codecs: string,
  rates: { peak: number; average: number },
): RenditionOut {
  if (!track.rung) {
    return {
      name: "audio",
      width: 0,
      height: 0,
      bandwidth: rates.peak,
      average_bandwidth: rates.average,
      codecs,
      playlist: "audio/index.m3u8",
    };
  }
  return {
    name: track.name,
    width: track.rung.width,
    height: track.rung.height,
    bandwidth: rates.peak,
    average_bandwidth: rates.average,
    codecs,
    frame_rate: outputFrameRate(meta),
    playlist: `${track.dir}/index.m3u8`,
  };
}
