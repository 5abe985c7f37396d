import { describe, expect, it } from "vitest";
import { avcCodecOfTransportStream, readInit, readSegment } from "../src/mp4.ts";

// ISO BMFF boxes built by hand: a size, a type, a payload.
const u8 = (...bytes: number[]) => Uint8Array.from(bytes);
const u32 = (n: number) => u8(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
const ascii = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));
function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const size = 8 + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  out.set(u32(size), 0);
  out.set(ascii(type), 4);
  let at = 8;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const zeros = (n: number) => new Uint8Array(n);
/** A full box: version and flags, then the payload. */
const full = (type: string, version: number, ...parts: Uint8Array[]) => box(type, u8(version, 0, 0, 0), ...parts);

/** A one-track init segment whose sample entry is `entry` (78 bytes of visual fields, or 28 of audio). */
function init(handler: "vide" | "soun", entry: Uint8Array, id = 1) {
  const tkhd = full("tkhd", 0, zeros(8), u32(id), zeros(4), u32(0), zeros(60));
  const mdhd = full("mdhd", 0, zeros(8), u32(90000), u32(0), zeros(4));
  const hdlr = full("hdlr", 0, zeros(4), ascii(handler), zeros(13));
  const dref = full("dref", 0, u32(1), full("url ", 0));
  dref.set(u8(0, 0, 0, 1), dref.length - 4); // the self-contained flag of its one entry
  const stbl = box("stbl", full("stsd", 0, u32(1), entry), full("stsz", 0, u32(0), u32(0)));
  const trak = box("trak", tkhd, box("mdia", mdhd, hdlr, box("minf", box("dinf", dref), stbl)));
  const mvex = box("mvex", full("trex", 0, u32(id), zeros(16)));
  const moov = box("moov", full("mvhd", 0, zeros(8), u32(1000), u32(0), zeros(80)), trak, mvex);
  return new Uint8Array([...box("ftyp", ascii("iso5"), u32(512), ascii("iso6"), ascii("mp41")), ...moov]);
}
const visual = (type: string, config: Uint8Array) => box(type, zeros(78), config);
const audio = (config: Uint8Array) => box("mp4a", zeros(28), config);
/** An esds whose AudioSpecificConfig starts with audio object type `aot` (5 bits). */
const esds = (aot: number) =>
  full(
    "esds",
    0,
    u8(0x03, 25, 0, 1, 0),
    u8(0x04, 17, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    u8(0x05, 2, (aot << 3) | 1, 0x90),
  );

describe("codecs as the stream declares them (RFC 6381)", () => {
  it("reads avc1.PPCCLL from the avcC record", () => {
    const facts = readInit(init("vide", visual("avc1", box("avcC", u8(1, 0x64, 0x00, 0x1f, 0xff)))));
    expect(facts.tracks).toEqual([{ id: 1, handler: "vide", codec: "avc1.64001f", durations: [0, 0], samples: 0 }]);
    expect(facts).toMatchObject({
      majorBrand: "iso5",
      compatibleBrands: ["iso6", "mp41"],
      movieDuration: 0,
      extendedTracks: [1],
      mvexAfterTracks: true,
      selfContained: true,
    });
  });

  it("reads hvc1 with the compatibility flags reversed and trailing zero constraint bytes left out", () => {
    // Main profile (1), compatibility flags 0x60000000, Main tier, level 93 (3.1), constraints B0 00 00 00 00 00.
    const hvcC = box("hvcC", u8(1, 0x01, 0x60, 0, 0, 0, 0xb0, 0, 0, 0, 0, 0, 93), zeros(10));
    expect(readInit(init("vide", visual("hvc1", hvcC))).tracks[0]!.codec).toBe("hvc1.1.6.L93.B0");
    // Main 10 (2), compatibility 0x20000000, High tier, level 150 (5.0).
    const main10 = box("hvcC", u8(1, 0x22, 0x20, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 150), zeros(10));
    expect(readInit(init("vide", visual("hvc1", main10))).tracks[0]!.codec).toBe("hvc1.2.4.H150.90");
  });

  it("reads mp4a.40.{object type} from the esds", () => {
    expect(readInit(init("soun", audio(esds(2)))).tracks[0]).toMatchObject({ handler: "soun", codec: "mp4a.40.2" });
    expect(readInit(init("soun", audio(esds(5)))).tracks[0]!.codec).toBe("mp4a.40.5");
  });

  it("finds the H.264 sequence parameter set in a TS segment", () => {
    const ts = u8(0x47, 0x41, 0x00, 0x10, 0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, 0x64, 0x00, 0x28, 0xac);
    expect(avcCodecOfTransportStream(ts)).toBe("avc1.640028");
    expect(avcCodecOfTransportStream(u8(0x47, 0, 0, 1, 0x09, 0xf0))).toBeUndefined();
  });
});

describe("fMP4 structure", () => {
  it("reads each movie fragment's tracks and their decode times", () => {
    const traf = (id: number, tfdt?: Uint8Array) =>
      box("traf", full("tfhd", 0, u32(id)), ...(tfdt ? [tfdt] : []), full("trun", 0, u32(0)));
    const moof = box(
      "moof",
      full("mfhd", 0, u32(1)),
      traf(1, full("tfdt", 1, u32(0), u32(180_000))),
      traf(2, full("tfdt", 0, u32(96_000))),
      traf(3),
    );
    const segment = new Uint8Array([...box("styp", ascii("msdh")), ...moof, ...box("mdat", u8(1, 2, 3))]);
    expect(readSegment(segment)).toEqual({
      fragments: [{ tracks: [{ id: 1, decodeTime: 180_000 }, { id: 2, decodeTime: 96_000 }, { id: 3 }] }],
      hasMedia: true,
    });
  });

  it("refuses a file without ftyp and moov", () => {
    expect(() => readInit(box("moof", zeros(8)))).toThrow(/initialization segment/);
  });
});
