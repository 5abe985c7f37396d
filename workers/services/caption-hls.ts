import { type Cue, toWebVtt } from "./caption-files";

/**
 * Captions in HLS (API.md): the master playlist's `EXT-X-MEDIA:TYPE=SUBTITLES` group and one
 * subtitle playlist of segmented WebVTT per track, written by the platform rather than
 * ffmpeg (whose WebVTT muxer omits LANGUAGE and the timestamp map, and shifts cues). Pure
 * text work; services/captions.ts stores what this makes.
 */

/** Subtitle segments are longer than video ones: a track is a few hundred objects, not thousands. */
export const SUBTITLE_SEGMENT_SECONDS = 30;

/** The group every rendition names in `SUBTITLES=`. */
export const SUBTITLE_GROUP = "subs";

/**
 * Where cue time 0 sits on the media timeline, for `X-TIMESTAMP-MAP`: ffmpeg's MPEG-TS muxer
 * starts presentation timestamps at 1.4 s (126000 at 90 kHz); fMP4 segments start at 0.
 */
export const mpegtsOrigin = (segmentType: "ts" | "fmp4") => (segmentType === "ts" ? 126_000 : 0);

export interface SubtitleSegment {
  /** Relative to the subtitle playlist. */
  name: string;
  body: string;
}

export interface SubtitleTrackFiles {
  playlist: string;
  segments: SubtitleSegment[];
}

/**
 * The subtitle playlist and its segments for cues over `totalMs` (the video's duration, or
 * the last cue's end when longer). A cue that crosses a segment boundary is in both
 * segments, as HLS asks; its times stay those of the whole video (`LOCAL:00:00:00.000`).
 */
export function subtitleTrack(cues: readonly Cue[], totalMs: number, segmentType: "ts" | "fmp4"): SubtitleTrackFiles {
  const step = SUBTITLE_SEGMENT_SECONDS * 1000;
  const lastEnd = cues.reduce((max, c) => Math.max(max, c.end), 0);
  const total = Math.max(totalMs, lastEnd, 1);
  const header = `X-TIMESTAMP-MAP=MPEGTS:${mpegtsOrigin(segmentType)},LOCAL:00:00:00.000`;
  const segments: SubtitleSegment[] = [];
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    `#EXT-X-TARGETDURATION:${SUBTITLE_SEGMENT_SECONDS}`,
    "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXT-X-PLAYLIST-TYPE:VOD",
  ];
  for (let from = 0, n = 0; from < total; from += step, n++) {
    const to = Math.min(total, from + step);
    const name = `seg_${String(n).padStart(5, "0")}.vtt`;
    segments.push({
      name,
      body: toWebVtt(
        cues.filter((c) => c.start < to && c.end > from),
        header,
      ),
    });
    lines.push(`#EXTINF:${((to - from) / 1000).toFixed(3)},`, name);
  }
  lines.push("#EXT-X-ENDLIST", "");
  return { playlist: lines.join("\n"), segments };
}

export interface SubtitleEntry {
  language: string;
  name: string;
  /** The subtitle playlist, relative to the master. */
  uri: string;
}

/** A quoted-string attribute value: no double quote, no line break (RFC 8216 4.2). */
const quoted = (value: string) => `"${value.replace(/["\r\n]/g, "'")}"`;

/**
 * The master with its subtitles group set to `tracks` (none: the group goes): earlier
 * subtitle lines are removed, so rewriting is idempotent. Every variant names the group.
 * DEFAULT=NO, AUTOSELECT=YES: a player picks a track by the viewer's language preference
 * and never forces captions on someone who did not ask.
 */
export function masterWithSubtitles(master: string, tracks: readonly SubtitleEntry[]): string {
  const lines = master
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .filter((line) => !/^#EXT-X-MEDIA:.*TYPE=SUBTITLES/.test(line))
    .map((line) => (line.startsWith("#EXT-X-STREAM-INF:") ? line.replace(/,SUBTITLES="[^"]*"/g, "") : line));
  if (!tracks.length) return lines.join("\n");
  const used = new Set<string>();
  const media = tracks.map((t) => {
    // NAME is unique within a group.
    let name = t.name;
    if (used.has(name)) name = `${t.name} (${t.language})`;
    used.add(name);
    return (
      `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="${SUBTITLE_GROUP}",NAME=${quoted(name)},` +
      `LANGUAGE=${quoted(t.language)},DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=${quoted(t.uri)}`
    );
  });
  const out: string[] = [];
  let placed = false;
  for (const line of lines) {
    if (!placed && line.startsWith("#EXT-X-STREAM-INF:")) {
      out.push(...media);
      placed = true;
    }
    out.push(line.startsWith("#EXT-X-STREAM-INF:") ? `${line},SUBTITLES="${SUBTITLE_GROUP}"` : line);
  }
  if (!placed) out.push(...media);
  return out.join("\n");
}
