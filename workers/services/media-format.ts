/**
 * Which uploads are accepted as video: checked from the declared type and extension at
 * initiate, and from the container's magic bytes on part 1 (a renamed text file or PNG is
 * turned away before the rest is sent). ffprobe has the last word before transcoding.
 */

import type { Container } from "../../contracts/video-containers";

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

// The magic-byte check is shared with the transcoder, which decides by it whether a source
// that will not parse is a damaged video or no video at all.
export { type Container, SNIFF_BYTES, sniffContainer } from "../../contracts/video-containers";
