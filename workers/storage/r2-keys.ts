/**
 * Every R2 key the platform writes is built here, so that deleting a video can remove its
 * whole prefix and nothing else knows the layout.
 *
 *   videos/{video_id}/source/{filename}   the uploaded original
 *   videos/{video_id}/hls/...             renditions, master playlist (processing issue)
 *   videos/{video_id}/thumbnails/...      thumbnails and storyboard
 *   uploads/{upload_id}/tus-tail          tus bytes past the last whole part
 */
export const videoPrefix = (videoId: string) => `videos/${videoId}/`;

export function sourceKey(videoId: string, filename: string): string {
  // Keep the extension (ffprobe and people both like it); the name itself is untrusted.
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1]?.toLowerCase() ?? "bin";
  return `${videoPrefix(videoId)}source/original.${ext}`;
}

export const tusTailKey = (uploadId: string) => `uploads/${uploadId}/tus-tail`;

/**
 * Processed media: `/videos/{id}/{path}` on the public side maps to this prefix, so the
 * source under `source/` is never reachable through it.
 */
export const mediaPrefix = (videoId: string) => `${videoPrefix(videoId)}media/`;
export const mediaKey = (videoId: string, path: string) => `${mediaPrefix(videoId)}${path}`;

/** A relative media path from the transcoder: no `..`, no absolute paths, no odd bytes. */
export const MEDIA_PATH = /^(?!.*\.\.)[A-Za-z0-9_-][A-Za-z0-9_./-]{0,199}$/;
