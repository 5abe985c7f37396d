/**
 * The media bucket (R2): every key the platform writes is built here, every read and write
 * of the bucket goes through `mediaStore`, and `mediaUrl` is the one place a public media
 * URL is made. Deleting a video removes its whole prefix, and nothing else knows the layout.
 *
 *   videos/{video_id}/source/original.{ext}   the uploaded original (never served)
 *   videos/{video_id}/media/...               what the transcoder wrote: master.m3u8,
 *                                             {rendition}/index.m3u8 and segments,
 *                                             thumbnails/, storyboard/, and the platform's
 *                                             captions/{language}/{rev}.vtt with its HLS
 *                                             subtitle playlist captions/{language}/{rev}/;
 *                                             served at /videos/{id}/...
 *   videos/{video_id}/audio/chunk_NNNNN.wav   audio cut at silences for Whisper (auto
 *                                             captions), removed once transcribed; never served
 *   uploads/{upload_id}/tus-tail              tus bytes past the last whole part
 */
const videoPrefix = (videoId: string) => `videos/${videoId}/`;

export function sourceKey(videoId: string, filename: string): string {
  // Keep the extension (ffprobe and people both like it); the name itself is untrusted.
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1]?.toLowerCase() ?? "bin";
  return `${videoPrefix(videoId)}source/original.${ext}`;
}

/** A chunk of a video's audio for transcription (`chunk_00000.wav`). */
export const AUDIO_CHUNK = /^chunk_\d{5}\.wav$/;
const audioPrefix = (videoId: string) => `${videoPrefix(videoId)}audio/`;

const tusTailKey = (uploadId: string) => `uploads/${uploadId}/tus-tail`;

/**
 * Processed media: `/videos/{id}/{path}` on the public side maps to this prefix, so the
 * source under `source/` is never reachable through it.
 */
const mediaPrefix = (videoId: string) => `${videoPrefix(videoId)}media/`;
const mediaKey = (videoId: string, path: string) => `${mediaPrefix(videoId)}${path}`;

/** A relative media path from the transcoder: no `..`, no absolute paths, no odd bytes. */
export const MEDIA_PATH = /^(?!.*\.\.)[A-Za-z0-9_-][A-Za-z0-9_./-]{0,199}$/;

/** The public URL of a video's media `path`; with an empty origin, the path alone. */
export const mediaUrl = (origin: string, videoId: string, path: string) => `${origin}/videos/${videoId}/${path}`;

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

/** Deletes every object under `prefix`, a listing page (up to 1,000 keys) at a time. */
async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    if (page.objects.length) await bucket.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}

/** The bucket as the services use it: sources, tus tails and processed media by name, never by raw key. */
export function mediaStore(bucket: R2Bucket) {
  return {
    /** Starts the multipart upload of a video's source. */
    createSourceUpload: (key: string, contentType: string, custom: Record<string, string>) =>
      bucket.createMultipartUpload(key, { httpMetadata: { contentType }, customMetadata: custom }),
    sourceUpload: (key: string, r2UploadId: string) => bucket.resumeMultipartUpload(key, r2UploadId),
    headSource: (key: string) => bucket.head(key),
    getSource: (key: string) => bucket.get(key),

    headTail: (uploadId: string) => bucket.head(tusTailKey(uploadId)),
    /** The first `length` bytes of the tail object. */
    getTail: (uploadId: string, length: number) => bucket.get(tusTailKey(uploadId), { range: { offset: 0, length } }),
    /** Stores a tail that begins at file offset `start` (recorded with it, to be checked on reading). */
    putTail: (uploadId: string, body: ReadableStream, start: number) =>
      bucket.put(tusTailKey(uploadId), body, { customMetadata: { start: String(start) } }),
    deleteTail: (uploadId: string) => bucket.delete(tusTailKey(uploadId)),
    /** What an upload that never completed left: its source object and its tail. */
    deleteUploadObjects: (upload: { id: string; sourceKey: string }) =>
      bucket.delete([upload.sourceKey, tusTailKey(upload.id)]),

    putMedia: (videoId: string, path: string, body: ReadableStream | Uint8Array, contentType: string) =>
      bucket.put(mediaKey(videoId, path), body, { httpMetadata: { contentType } }),
    headMedia: (videoId: string, path: string) => bucket.head(mediaKey(videoId, path)),
    getMedia: (videoId: string, path: string, options: R2GetOptions) => bucket.get(mediaKey(videoId, path), options),
    /** A media object's text (a playlist the platform rewrites); undefined when there is none. */
    getMediaText: async (videoId: string, path: string) => (await bucket.get(mediaKey(videoId, path)))?.text(),
    /** Every media object whose path starts with `pathPrefix` and is not kept by `keep`. */
    deleteMediaUnder: async (videoId: string, pathPrefix: string, keep: (path: string) => boolean = () => false) => {
      const prefix = mediaKey(videoId, pathPrefix);
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix, cursor });
        const doomed = page.objects.map((o) => o.key).filter((key) => !keep(key.slice(mediaPrefix(videoId).length)));
        if (doomed.length) await bucket.delete(doomed);
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
    },
    putAudio: (videoId: string, name: string, body: ReadableStream | Uint8Array) =>
      bucket.put(`${audioPrefix(videoId)}${name}`, body, { httpMetadata: { contentType: "audio/wav" } }),
    getAudio: (videoId: string, name: string) => bucket.get(`${audioPrefix(videoId)}${name}`),
    /** The audio chunks of a transcription, once read. */
    deleteAudio: (videoId: string) => deletePrefix(bucket, audioPrefix(videoId)),
    /** Every processed object of a video (not its source). */
    deleteMedia: (videoId: string) => deletePrefix(bucket, mediaPrefix(videoId)),
    /** Everything of a video: source and media. */
    deleteVideo: (videoId: string) => deletePrefix(bucket, videoPrefix(videoId)),
  };
}

export type MediaStore = ReturnType<typeof mediaStore>;
