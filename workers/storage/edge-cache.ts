/**
 * Computed answers kept in the Cache API (the seed's Redis caches): one entry per key, purged
 * by every change to what it holds, and kept no longer than its TTL in case a purge in
 * another data centre is missed (Cache API entries are per data centre).
 */
const ORIGIN = "https://cache.cloudtube.internal";

export const cacheKeys = {
  /** GET /api/v1/videos/{id}/status, with owner and visibility for the access check. */
  status: (videoId: string) => `${ORIGIN}/videos/${videoId}/status`,
  /** GET /api/v1/videos/{id} without the viewer's own parts. */
  video: (videoId: string) => `${ORIGIN}/videos/${videoId}`,
  /** Who may fetch the video's media: visibility and owner, read for every tokenless segment. */
  access: (videoId: string) => `${ORIGIN}/videos/${videoId}/access`,
};

export async function readCached<T>(key: string): Promise<T | undefined> {
  const hit = await caches.default.match(key);
  return hit ? ((await hit.json()) as T) : undefined;
}

export async function writeCached(key: string, value: unknown, ttlSeconds: number): Promise<void> {
  await caches.default.put(
    key,
    new Response(JSON.stringify(value), {
      headers: { "Content-Type": "application/json", "Cache-Control": `max-age=${ttlSeconds}` },
    }),
  );
}

/** Drops every cached answer about a video (seed: "Invalidate CDN cache"). */
export async function purgeVideo(videoId: string): Promise<void> {
  await Promise.all(Object.values(cacheKeys).map((key) => caches.default.delete(key(videoId))));
}
