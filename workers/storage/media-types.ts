const CONTENT_TYPES: Record<string, string> = {
  m3u8: "application/vnd.apple.mpegurl",
  ts: "video/mp2t",
  m4s: "video/iso.segment",
  mp4: "video/mp4",
  m4a: "audio/mp4",
  aac: "audio/aac",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  vtt: "text/vtt",
};

const extensionOf = (path: string) => /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? "";

export const contentTypeOf = (path: string) => CONTENT_TYPES[extensionOf(path)] ?? "application/octet-stream";

/** Playlists change while a video processes (the master gains renditions); nothing else does. */
export const isPlaylist = (path: string) => extensionOf(path) === "m3u8";
