/**
 * Which uploads are accepted as video: checked from the declared type and extension at
 * initiate, and from the container's magic bytes on part 1 (a renamed text file or PNG is
 * turned away before the rest is sent). ffprobe has the last word before transcoding.
 */

export type Container = "mp4" | "matroska" | "avi" | "mpegts" | "mpegps" | "flv" | "ogg" | "asf";

/** Extension -> container family. */
const EXTENSIONS: Record<string, Container> = {
  mp4: "mp4",
  m4v: "mp4",
  mov: "mp4",
  qt: "mp4",
  "3gp": "mp4",
  "3g2": "mp4",
  webm: "matroska",
  mkv: "matroska",
  avi: "avi",
  ts: "mpegts",
  mts: "mpegts",
  m2ts: "mpegts",
  mpg: "mpegps",
  mpeg: "mpegps",
  vob: "mpegps",
  flv: "flv",
  ogv: "ogg",
  wmv: "asf",
  asf: "asf",
};

/** Declared MIME types that are accepted (browsers send octet-stream for odd files). */
const CONTENT_TYPES = new Set([
  "video/mp4",
  "video/quicktime",
  "video/x-m4v",
  "video/3gpp",
  "video/3gpp2",
  "video/webm",
  "video/x-matroska",
  "video/matroska",
  "video/x-msvideo",
  "video/avi",
  "video/msvideo",
  "video/mp2t",
  "video/mpeg",
  "video/x-flv",
  "video/ogg",
  "video/x-ms-wmv",
  "video/x-ms-asf",
  "application/octet-stream",
]);

export const SUPPORTED_EXTENSIONS = Object.keys(EXTENSIONS);

export function extensionOf(filename: string): string | undefined {
  return /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1]?.toLowerCase();
}

/** The reason a declared file is not accepted, or null if it may be uploaded. */
export function declaredFormatProblem(filename: string, contentType: string): string | null {
  const ext = extensionOf(filename);
  if (!ext || !(ext in EXTENSIONS)) {
    return `The file extension ${ext ? `".${ext}"` : "(none)"} is not a supported video format. Supported: ${SUPPORTED_EXTENSIONS.join(", ")}.`;
  }
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  if (!CONTENT_TYPES.has(type)) return `The content type "${type}" is not a supported video type.`;
  return null;
}

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
