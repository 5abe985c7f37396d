// What the encoded outputs say of themselves: ISO BMFF boxes of fMP4 init and media segments,
// and the RFC 6381 codec strings of a stream (the master playlist's CODECS), read from the
// bytes ffmpeg wrote rather than from what we asked of it. Pure: bytes in, facts out.

export interface Box {
  type: string;
  /** Offset of the box's header in the buffer. */
  start: number;
  /** Offset of its payload (past the size, type and, for a 64-bit size, the large size). */
  payload: number;
  end: number;
}

/** The boxes laid end to end in `bytes[start, end)`; a box running past the end stops the walk. */
export function boxesIn(bytes: Uint8Array, start = 0, end = bytes.length): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    let payload = at + 8;
    if (size === 1) {
      if (at + 16 > end) break;
      size = Number(view.getBigUint64(at + 8));
      payload = at + 16;
    } else if (size === 0) size = end - at;
    if (size < payload - at || at + size > end) break;
    boxes.push({ type, start: at, payload, end: at + size });
    at += size;
  }
  return boxes;
}

/** The first box at `path` (["moov", "trak", "mdia"]), walking containers from the top level. */
export function findBox(bytes: Uint8Array, path: string[], within?: Box): Box | undefined {
  let scope = within;
  for (const type of path) {
    const children = boxesIn(bytes, scope?.payload ?? 0, scope?.end ?? bytes.length);
    scope = children.find((b) => b.type === type);
    if (!scope) return undefined;
  }
  return scope;
}

/** `findBox`, for boxes the format requires: a file without one is not what it claims to be. */
function need(bytes: Uint8Array, path: string[], within?: Box): Box {
  const box = findBox(bytes, path, within);
  if (!box) throw new Error(`no ${path.join("/")} box in ${within?.type ?? "the file"}`);
  return box;
}

const children = (bytes: Uint8Array, box: Box, type: string) =>
  boxesIn(bytes, box.payload, box.end).filter((b) => b.type === type);

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const u32 = (bytes: Uint8Array, at: number) => view(bytes).getUint32(at);
/** A byte, 0 past the end (a truncated box reads as zeros rather than failing). */
const u8 = (bytes: Uint8Array, at: number) => bytes[at] ?? 0;
const hex2 = (n: number) => n.toString(16).padStart(2, "0");

/** A full box's version and the duration field of an `mvhd`, `tkhd` or `mdhd`. */
function headerDuration(bytes: Uint8Array, box: Box): number {
  const version = u8(bytes, box.payload);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // mvhd/mdhd: created, modified, timescale, duration; tkhd: created, modified, track id, reserved, duration.
  const offset = box.type === "tkhd" ? (version ? 28 : 20) : version ? 24 : 16;
  return version ? Number(view.getBigUint64(box.payload + offset)) : view.getUint32(box.payload + offset);
}

/** RFC 6381 for AVC: `avc1.PPCCLL` from the avcC record (profile, constraint flags, level). */
function avcCodec(entry: string, bytes: Uint8Array, avcC: Box): string {
  const p = avcC.payload;
  return `${entry}.${hex2(u8(bytes, p + 1))}${hex2(u8(bytes, p + 2))}${hex2(u8(bytes, p + 3))}`.toLowerCase();
}

/**
 * RFC 6381 / ISO 14496-15 Annex E for HEVC: `hvc1.{space}{profile}.{compat, bits reversed}.
 * {tier}{level}.{constraint bytes without trailing zeros}` from the hvcC record.
 */
function hevcCodec(entry: string, bytes: Uint8Array, hvcC: Box): string {
  const p = hvcC.payload;
  const b1 = u8(bytes, p + 1);
  const space = ["", "A", "B", "C"][b1 >> 6] ?? "";
  const tier = b1 & 0x20 ? "H" : "L";
  const profile = b1 & 0x1f;
  let compat = u32(bytes, p + 2);
  let reversed = 0;
  for (let i = 0; i < 32; i++) {
    reversed = (reversed << 1) | (compat & 1);
    compat >>>= 1;
  }
  const constraints = [...bytes.subarray(p + 6, p + 12)];
  while (constraints.length && constraints.at(-1) === 0) constraints.pop();
  const level = u8(bytes, p + 12);
  return [
    entry,
    `${space}${profile}`,
    (reversed >>> 0).toString(16),
    `${tier}${level}`,
    ...constraints.map((c) => c.toString(16).toUpperCase()),
  ].join(".");
}

/** A descriptor's tag and length in an esds (lengths take 1 to 4 bytes of 7 bits each). */
function descriptor(bytes: Uint8Array, at: number) {
  const tag = u8(bytes, at);
  let length = 0;
  let i = at + 1;
  for (let n = 0; n < 4; n++, i++) {
    length = (length << 7) | (u8(bytes, i) & 0x7f);
    if (!(u8(bytes, i) & 0x80)) {
      i++;
      break;
    }
  }
  return { tag, length, body: i };
}

/** RFC 6381 for MPEG-4 audio: `mp4a.40.{audio object type}` (2: AAC-LC) from the esds. */
function aacCodec(bytes: Uint8Array, esds: Box): string | undefined {
  // ES_Descriptor (3): ES_ID, flags (and what they announce), then DecoderConfigDescriptor (4).
  const es = descriptor(bytes, esds.payload + 4);
  if (es.tag !== 3) return undefined;
  const flags = u8(bytes, es.body + 2);
  let at = es.body + 3;
  if (flags & 0x80) at += 2;
  if (flags & 0x40) at += 1 + u8(bytes, at);
  if (flags & 0x20) at += 2;
  const config = descriptor(bytes, at);
  if (config.tag !== 4) return undefined;
  const objectType = u8(bytes, config.body);
  const specific = descriptor(bytes, config.body + 13);
  if (objectType !== 0x40 || specific.tag !== 5) return `mp4a.${hex2(objectType)}`;
  let aot = u8(bytes, specific.body) >> 3;
  if (aot === 31) aot = 32 + (((u8(bytes, specific.body) & 0x07) << 3) | (u8(bytes, specific.body + 1) >> 5));
  return `mp4a.40.${aot}`;
}

export interface InitTrack {
  id: number;
  /** `vide` or `soun`. */
  handler: string;
  /** RFC 6381, from the sample entry's configuration record. */
  codec?: string;
  /** Durations in tkhd and mdhd, and samples in the sample table (all zero in an init segment). */
  durations: number[];
  samples: number;
}

export interface InitFacts {
  majorBrand: string;
  compatibleBrands: string[];
  movieDuration: number;
  tracks: InitTrack[];
  /** Tracks announced to hold movie fragments (`trex` in `mvex`). */
  extendedTracks: number[];
  /** `mvex` comes after the last `trak`. */
  mvexAfterTracks: boolean;
  /** Every data reference is the file itself (the self-contained flag). */
  selfContained: boolean;
}

/** Everything about an fMP4 initialization segment that the HLS rules speak of. */
export function readInit(bytes: Uint8Array): InitFacts {
  const ftyp = findBox(bytes, ["ftyp"]);
  const moov = findBox(bytes, ["moov"]);
  if (!ftyp || !moov) throw new Error("not an fMP4 initialization segment (no ftyp and moov)");
  const brand = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  const compatibleBrands: string[] = [];
  for (let at = ftyp.payload + 8; at + 4 <= ftyp.end; at += 4) compatibleBrands.push(brand(at));
  const inMoov = boxesIn(bytes, moov.payload, moov.end);
  const mvhd = inMoov.find((b) => b.type === "mvhd");
  const traks = inMoov.filter((b) => b.type === "trak");
  const mvex = inMoov.find((b) => b.type === "mvex");
  let selfContained = true;
  const tracks = traks.map((trak): InitTrack => {
    const tkhd = need(bytes, ["tkhd"], trak);
    const mdia = need(bytes, ["mdia"], trak);
    const mdhd = need(bytes, ["mdhd"], mdia);
    const hdlr = need(bytes, ["hdlr"], mdia);
    const stbl = need(bytes, ["minf", "stbl"], mdia);
    const dref = findBox(bytes, ["minf", "dinf", "dref"], mdia);
    if (dref) {
      for (const entry of boxesIn(bytes, dref.payload + 8, dref.end)) {
        if (!(u8(bytes, entry.payload + 3) & 1)) selfContained = false;
      }
    }
    const stsd = need(bytes, ["stsd"], stbl);
    const entry = boxesIn(bytes, stsd.payload + 8, stsd.end)[0];
    let codec: string | undefined;
    if (entry && ["avc1", "avc3"].includes(entry.type)) {
      const avcC = boxesIn(bytes, entry.payload + 78, entry.end).find((b) => b.type === "avcC");
      if (avcC) codec = avcCodec(entry.type, bytes, avcC);
    } else if (entry && ["hvc1", "hev1"].includes(entry.type)) {
      const hvcC = boxesIn(bytes, entry.payload + 78, entry.end).find((b) => b.type === "hvcC");
      if (hvcC) codec = hevcCodec(entry.type, bytes, hvcC);
    } else if (entry?.type === "mp4a") {
      const esds = boxesIn(bytes, entry.payload + 28, entry.end).find((b) => b.type === "esds");
      if (esds) codec = aacCodec(bytes, esds);
    }
    const stsz = findBox(bytes, ["stsz"], stbl);
    return {
      id: u32(bytes, tkhd.payload + (bytes[tkhd.payload] ? 20 : 12)),
      handler: String.fromCharCode(...bytes.subarray(hdlr.payload + 8, hdlr.payload + 12)),
      codec,
      durations: [headerDuration(bytes, tkhd), headerDuration(bytes, mdhd)],
      samples: stsz ? u32(bytes, stsz.payload + 8) : 0,
    };
  });
  return {
    majorBrand: brand(ftyp.payload),
    compatibleBrands,
    movieDuration: mvhd ? headerDuration(bytes, mvhd) : -1,
    tracks,
    extendedTracks: mvex ? children(bytes, mvex, "trex").map((trex) => u32(bytes, trex.payload + 4)) : [],
    mvexAfterTracks: !!mvex && traks.every((t) => t.start < mvex.start),
    selfContained,
  };
}

export interface FragmentFacts {
  /** Per movie fragment: its tracks, each with whether it carries a decode time (`tfdt`). */
  fragments: { tracks: { id: number; decodeTime?: number }[] }[];
  /** A `mdat` follows the fragments. */
  hasMedia: boolean;
}

/** The movie fragments of an fMP4 media segment. */
export function readSegment(bytes: Uint8Array): FragmentFacts {
  const top = boxesIn(bytes);
  const fragments = top
    .filter((b) => b.type === "moof")
    .map((moof) => ({
      tracks: children(bytes, moof, "traf").map((traf) => {
        const tfhd = need(bytes, ["tfhd"], traf);
        const tfdt = findBox(bytes, ["tfdt"], traf);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const decodeTime = tfdt
          ? bytes[tfdt.payload]
            ? Number(view.getBigUint64(tfdt.payload + 4))
            : view.getUint32(tfdt.payload + 4)
          : undefined;
        return { id: u32(bytes, tfhd.payload + 4), decodeTime };
      }),
    }));
  return { fragments, hasMedia: top.some((b) => b.type === "mdat") };
}

/**
 * The video codec of an MPEG-TS segment, from the first H.264 sequence parameter set in it
 * (`00 00 01` then a NAL header of type 7: profile, constraint flags, level follow). The
 * SPS opens the first keyframe, so it sits in the segment's first packets, whole.
 */
export function avcCodecOfTransportStream(bytes: Uint8Array): string | undefined {
  for (let i = 0; i + 6 < bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1 && (u8(bytes, i + 3) & 0x9f) === 0x07) {
      return `avc1.${hex2(u8(bytes, i + 4))}${hex2(u8(bytes, i + 5))}${hex2(u8(bytes, i + 6))}`;
    }
  }
  return undefined;
}
