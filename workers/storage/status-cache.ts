/**
 * The status cache (seed: "Check Redis (status cache)") on the Cache API: one entry per
 * video, purged by every event that changes the video, and kept at most a minute in case a
 * purge in another colo is missed (Cache API entries are per data centre).
 */
const TTL_SECONDS = 60;
const keyOf = (videoId: string) => new Request(`https://status-cache.cloudtube.internal/videos/${videoId}`);

export interface CachedStatus {
  owner_id: string;
  visibility: string;
  body: Record<string, unknown>;
}

export async function readStatus(videoId: string): Promise<CachedStatus | undefined> {
  const hit = await caches.default.match(keyOf(videoId));
  return hit ? ((await hit.json()) as CachedStatus) : undefined;
}

export async function writeStatus(videoId: string, status: CachedStatus): Promise<void> {
  await caches.default.put(
    keyOf(videoId),
    new Response(JSON.stringify(status), {
      headers: { "Content-Type": "application/json", "Cache-Control": `max-age=${TTL_SECONDS}` },
    }),
  );
}

export async function purgeStatus(videoId: string): Promise<void> {
  await caches.default.delete(keyOf(videoId));
}
