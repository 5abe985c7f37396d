/**
 * Which video container a file's first bytes announce, shared like the transcoder contract
 * (no Node or Workers imports): the Worker checks part 1 of an upload with it, and the
 * transcoder tells a damaged video (a known container that will not parse) from a file that
 * is no video at all.
 */

export type Container = "mp4" | "matroska" | "avi" | "mpegts" | "mpegps" | "flv" | "ogg" | "asf";

/** How many leading bytes `sniffContainer` wants (an MPEG-TS sync byte repeats every 188, M2TS every 192 after a 4-byte prefix). */
export const SNIFF_BYTES = 197;

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));

/** The container the first bytes of a file announce, or null if they announce no video. */
export function sniffContainer(head: Uint8Array): Container | null {
  if (head.length >= 12) {
    const box = ascii(head, 4, 8);
    // ISO BMFF / QuickTime: the first box is ftyp, or a bare moov/mdat/free/wide/skip in old .mov files.
    if (["ftyp", "moov", "mdat", "free", "wide", "skip", "pnot"].includes(box)) return "mp4";
    if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "AVI ") return "avi";
  }
  if (head.length >= 4) {
    if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return "matroska";
    if (head[0] === 0x00 && head[1] === 0x00 && head[2] === 0x01 && (head[3] === 0xba || head[3] === 0xb3))
      return "mpegps";
    if (ascii(head, 0, 4) === "OggS") return "ogg";
    if (head[0] === 0x30 && head[1] === 0x26 && head[2] === 0xb2 && head[3] === 0x75) return "asf";
  }
  if (head.length >= 3 && ascii(head, 0, 3) === "FLV") return "flv";
  // MPEG-TS: sync byte 0x47 every 188 bytes (M2TS adds a 4-byte timestamp first).
  if (head.length >= 189 && head[0] === 0x47 && head[188] === 0x47) return "mpegts";
  if (head.length >= 197 && head[4] === 0x47 && head[196] === 0x47) return "mpegts";
  return null;
}
