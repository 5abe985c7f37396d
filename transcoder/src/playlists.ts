// HLS text: the master playlist and the facts read back from media playlists.
import type { RenditionOut } from "./protocol.ts";

/**
 * The master playlist over the renditions stored so far (lowest first, so players that take
 * the first variant start fast), with the audio-only rendition last.
 */
export function masterPlaylist(renditions: RenditionOut[]): string {
  const lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS"];
  const video = renditions.filter((r) => r.height > 0).sort((a, b) => a.bandwidth - b.bandwidth);
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
