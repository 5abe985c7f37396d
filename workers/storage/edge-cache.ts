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

/** First pages of a video's comments are cached for these page sizes (the clients' usual ones). */
export const CACHED_COMMENT_LIMITS = [10, 20, 50] as const;
const COMMENT_SORTS = ["newest", "top"] as const;

/** The first page of a video's comments in one sort and size (seed: cached 5 minutes). */
export const commentPageKey = (videoId: string, sort: string, limit: number) =>
  `${ORIGIN}/videos/${videoId}/comments?sort=${sort}&limit=${limit}`;

/** Drops every cached first page of the video's comments: on every new or deleted comment. */
export async function purgeComments(videoId: string): Promise<void> {
  await Promise.all(
    COMMENT_SORTS.flatMap((sort) => CACHED_COMMENT_LIMITS.map((limit) => caches.default.delete(commentPageKey(videoId, sort, limit)))),
  );
}
