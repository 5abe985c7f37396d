// The HLS rules our outputs are held to (docs/transcoder.md, "fMP4 and the HLS rules"):
// RFC 8216 and Apple's HLS Authoring Specification, as far as they can be checked without
// Apple's mediastreamvalidator (which does not run here). Given every stored object of a
// video, answers the rules it breaks, each as one sentence naming the object.
import { readInit, readSegment } from "../src/mp4.ts";
import { readMediaPlaylist } from "../src/playlists.ts";

const attributes = (line: string) =>
  Object.fromEntries(
    [...line.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)].map(([, k, v]) => [k!, v!.replace(/^"|"$/g, "")]),
  );

/** Bits per second of the segments, peak (per segment) and average, as Apple measures them. */
function measured(objects: Map<string, Buffer>, dir: string, playlist: string) {
  const facts = readMediaPlaylist(playlist);
  let bits = 0;
  let peak = 0;
  facts.segments.forEach((name, i) => {
    const size = (objects.get(`${dir}/${name}`)?.length ?? 0) * 8;
    bits += size;
    peak = Math.max(peak, size / (facts.durations[i] || 1));
  });
  return { peak, average: bits / (facts.durations.reduce((a, b) => a + b, 0) || 1) };
}

/** The H.264 profile and level in an `avc1.PPCCLL` string. */
const avc = (codec: string) => {
  const m = /^avc[13]\.([0-9a-f]{2})[0-9a-f]{2}([0-9a-f]{2})$/i.exec(codec);
  return m ? { profile: Number.parseInt(m[1]!, 16), level: Number.parseInt(m[2]!, 16) } : undefined;
};

export function hlsProblems(objects: Map<string, Buffer>, { segmentSeconds = 6 } = {}): string[] {
  const problems: string[] = [];
  const broken = (what: string) => problems.push(what);
  const master = objects.get("master.m3u8")?.toString();
  if (!master) return ["there is no master.m3u8"];
  const lines = master.trim().split("\n");
  if (lines[0] !== "#EXTM3U") broken("master: does not start with #EXTM3U");
  if (lines.filter((l) => l.startsWith("#EXT-X-VERSION:")).length !== 1) broken("master: not one EXT-X-VERSION");
  // RFC 8216 4.3.5.1; Apple: every segment starts with an IDR frame, and the master says so.
  if (!lines.includes("#EXT-X-INDEPENDENT-SEGMENTS")) broken("master: no EXT-X-INDEPENDENT-SEGMENTS");

  for (const [i, line] of lines.entries()) {
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    const uri = lines[i + 1]!;
    const a = attributes(line.slice("#EXT-X-STREAM-INF:".length));
    const video = "RESOLUTION" in a;
    // Apple: BANDWIDTH, AVERAGE-BANDWIDTH and CODECS on every variant; RESOLUTION and FRAME-RATE on video.
    for (const name of ["BANDWIDTH", "AVERAGE-BANDWIDTH", "CODECS", ...(video ? ["FRAME-RATE"] : [])]) {
      if (!(name in a)) broken(`master: ${uri} has no ${name}`);
    }
    const playlist = objects.get(uri)?.toString();
    if (!playlist) {
      broken(`master: ${uri} is not stored`);
      continue;
    }
    const dir = uri.slice(0, uri.lastIndexOf("/"));
    problems.push(...mediaPlaylistProblems(objects, dir, playlist, segmentSeconds));
    // Apple: declared peak and average within 10% of what the segments measure.
    const rates = measured(objects, dir, playlist);
    if (Math.abs(Number(a.BANDWIDTH) - rates.peak) > 0.1 * rates.peak)
      broken(
        `master: ${uri} BANDWIDTH ${a.BANDWIDTH} is not within 10% of the measured peak ${Math.round(rates.peak)}`,
      );
    if (Math.abs(Number(a["AVERAGE-BANDWIDTH"]) - rates.average) > 0.1 * rates.average)
      broken(`master: ${uri} AVERAGE-BANDWIDTH is not within 10% of the measured ${Math.round(rates.average)}`);
    // CODECS is what the stream itself declares (its initialization segment's sample entries).
    const init = readMediaPlaylist(playlist).init;
    if (init && objects.has(`${dir}/${init}`)) {
      const declared = readInit(objects.get(`${dir}/${init}`)!).tracks.map((t) => t.codec);
      if (a.CODECS !== declared.join(",")) broken(`master: ${uri} CODECS "${a.CODECS}" but the stream is ${declared}`);
    }
    // Apple: H.264 at most High profile, level 4.2 (above 1080p the ladder needs HEVC for Apple devices).
    for (const codec of (a.CODECS ?? "").split(",")) {
      const v = avc(codec);
      if (v && (v.profile > 100 || v.level > 42)) broken(`master: ${uri} ${codec} is above High 4.2`);
    }
  }
  return problems;
}

/** A media playlist and the files it names (init segment and segments). */
export function mediaPlaylistProblems(
  objects: Map<string, Buffer>,
  dir: string,
  playlist: string,
  segmentSeconds = 6,
): string[] {
  const problems: string[] = [];
  const broken = (what: string) => problems.push(`${dir}/index.m3u8: ${what}`);
  const lines = playlist.trim().split("\n");
  const facts = readMediaPlaylist(playlist);
  const version = Number(/^#EXT-X-VERSION:(\d+)$/m.exec(playlist)?.[1] ?? 1);
  const target = Number(/^#EXT-X-TARGETDURATION:(\d+)$/m.exec(playlist)?.[1] ?? 0);
  const firstSegment = lines.findIndex((l) => l && !l.startsWith("#"));
  const map = lines.findIndex((l) => l.startsWith("#EXT-X-MAP:"));
  if (!playlist.includes("#EXT-X-PLAYLIST-TYPE:VOD") || !facts.ended) broken("not a finished VOD playlist");
  if (!playlist.includes("#EXT-X-INDEPENDENT-SEGMENTS")) broken("no EXT-X-INDEPENDENT-SEGMENTS");
  // RFC 8216 4.3.3.1: every EXTINF, rounded, is at most the target duration; Apple: 6 s targets.
  for (const d of facts.durations) if (Math.round(d) > target) broken(`EXTINF ${d} above the target ${target}`);
  if (target !== segmentSeconds) broken(`target duration ${target}, not ${segmentSeconds}`);
  facts.durations.slice(0, -1).forEach((d, i) => {
    if (Math.abs(d - segmentSeconds) > 0.05) broken(`segment ${i} lasts ${d} s, not ${segmentSeconds}`);
  });
  if (!facts.segments.length) broken("lists no segment");
  if (!facts.init) return problems; // MPEG-TS: no initialization segment
  // RFC 8216 4.3.2.5 and 7: EXT-X-MAP before the segments it applies to, version 6 or more.
  if (map < 0 || map > firstSegment) broken("EXT-X-MAP does not come before the first segment");
  if (version < 6) broken(`EXT-X-VERSION ${version} with EXT-X-MAP (needs 6 or more)`);
  const initBytes = objects.get(`${dir}/${facts.init}`);
  if (!initBytes) return [...problems, `${dir}/${facts.init}: not stored`];
  // RFC 8216 3.3: the initialization section.
  const init = readInit(initBytes);
  const brands = [init.majorBrand, ...init.compatibleBrands];
  if (!brands.some((b) => /^iso[6-9]$|^cmf[a-z0-9]$/.test(b)))
    broken(`init: no brand compatible with iso6 (${brands})`);
  if (init.movieDuration !== 0) broken("init: mvhd duration is not 0");
  for (const t of init.tracks) {
    if (t.durations.some((d) => d !== 0)) broken(`init: track ${t.id} has a duration`);
    if (t.samples !== 0) broken(`init: track ${t.id} has samples`);
    if (!init.extendedTracks.includes(t.id)) broken(`init: track ${t.id} has no trex`);
  }
  if (!init.mvexAfterTracks) broken("init: mvex does not follow the last trak");
  if (!init.selfContained) broken("init: a data reference points outside the file");
  const ids = init.tracks.map((t) => t.id);
  for (const name of facts.segments) {
    const bytes = objects.get(`${dir}/${name}`);
    if (!bytes) {
      broken(`${name} is not stored`);
      continue;
    }
    const segment = readSegment(bytes);
    if (!segment.fragments.length || !segment.hasMedia) broken(`${name}: no moof and mdat`);
    for (const fragment of segment.fragments) {
      for (const t of fragment.tracks) {
        if (t.decodeTime === undefined) broken(`${name}: track ${t.id} has no tfdt`);
        if (!ids.includes(t.id)) broken(`${name}: track ${t.id} is not in the init segment`);
      }
    }
  }
  return problems;
}
