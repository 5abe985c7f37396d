// HLS text: the master playlist and the facts read back from media playlists.
import type { RenditionOut } from "./protocol.ts";

/** Apple's HLS authoring guidance: the first variant listed, where playback starts, near 2 Mbit/s. */
const START_TARGET = 2_000_000;
const START_CEILING = 3_000_000;

/**
 * The rendition playback starts with (players such as hls.js start with the first listed):
 * the one whose average bitrate is nearest 2 Mbit/s without passing 3 Mbit/s, so the first
 * seconds are not 144p on a fast link nor stall on a slow one. The lowest when none fits.
 */
export function startRendition(video: RenditionOut[]): RenditionOut | undefined {
  // AVERAGE-BANDWIDTH is what a viewer's link must carry; the peak only when it is missing.
  const rate = (r: RenditionOut) => r.average_bandwidth ?? r.bandwidth;
  const fits = video.filter((r) => rate(r) <= START_CEILING);
  const distance = (r: RenditionOut) => Math.abs(Math.log(rate(r) / START_TARGET));
  return (
    fits.reduce<RenditionOut | undefined>((best, r) => (!best || distance(r) < distance(best) ? r : best), undefined) ??
    video[0]
  );
}

/**
 * The master playlist over the renditions stored so far: the start rendition first (while
 * only the early one exists, that one), then the other video renditions from the lowest up,
 * and the audio-only rendition last. Its EXT-X-VERSION is its media playlists' (7 for fMP4,
 * whose EXT-X-MAP needs 6 or more; docs/transcoder.md, "fMP4").
 */
export function masterPlaylist(renditions: RenditionOut[], segmentType: "ts" | "fmp4" = "fmp4"): string {
  const lines = ["#EXTM3U", `#EXT-X-VERSION:${segmentType === "fmp4" ? 7 : 6}`, "#EXT-X-INDEPENDENT-SEGMENTS"];
  const ascending = renditions.filter((r) => r.height > 0).sort((a, b) => a.bandwidth - b.bandwidth);
  const start = startRendition(ascending);
  const video = start ? [start, ...ascending.filter((r) => r !== start)] : [];
  const audio = renditions.filter((r) => r.height === 0);
  for (const r of [...video, ...audio]) {
    const attrs = [
      `BANDWIDTH=${r.bandwidth}`,
      `AVERAGE-BANDWIDTH=${r.average_bandwidth}`,
      `CODECS="${r.codecs}"`,
      ...(r.height > 0 ? [`RESOLUTION=${r.width}x${r.height}`, `FRAME-RATE=${(r.frame_rate ?? 30).toFixed(3)}`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(",")}`, r.playlist);
  }
  return `${lines.join("\n")}\n`;
}

export interface MediaPlaylistFacts {
  segments: string[];
  durations: number[];
  init?: string;
  ended: boolean;
}

/** Segment URIs, their durations and the init segment of a media playlist. */
export function readMediaPlaylist(text: string): MediaPlaylistFacts {
  const segments: string[] = [];
  const durations: number[] = [];
  let init: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#EXTINF:")) durations.push(Number.parseFloat(line.slice(8)));
    else if (line.startsWith("#EXT-X-MAP:")) init = /URI="([^"]+)"/.exec(line)?.[1];
    else if (line && !line.startsWith("#")) segments.push(line);
  }
  return { segments, durations, init, ended: text.includes("#EXT-X-ENDLIST") };
}

/**
 * A rendition's playlist once encoding is done: VOD (ffmpeg has already added
 * #EXT-X-ENDLIST) and saying its segments are independent. ffmpeg leaves that tag out of an
 * audio-only playlist, whose AAC frames each decode alone; the master's tag covers every
 * media playlist anyway (RFC 8216 4.3.5.1), and the playlist now says it too.
 */
export function finalPlaylist(text: string): string {
  const vod = text.replace("#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-PLAYLIST-TYPE:VOD");
  if (vod.includes("#EXT-X-INDEPENDENT-SEGMENTS")) return vod;
  return vod.replace(/^(#EXT-X-PLAYLIST-TYPE:VOD)$/m, "$1\n#EXT-X-INDEPENDENT-SEGMENTS");
}
