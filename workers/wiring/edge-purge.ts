import { log } from "../lib/log";
import { purgeComments, purgeMediaCopies, purgeVideo, videoKeys } from "../storage/edge-cache";

/**
 * Drops every cached answer about a video. `caches.default.delete` reaches this data centre
 * only (Cache API entries are per data centre); with `CF_ZONE_ID` and the `CF_API_TOKEN`
 * secret set (production), Cloudflare's purge API drops the same keys everywhere within
 * seconds (Instant Purge). Locally there is one data centre and no zone: the first step is
 * the whole of it.
 */
export type EdgePurge = (videoId: string) => Promise<void>;

export function edgePurge(env: Env): EdgePurge {
  const zone = zonePurge(env);
  return async (videoId) => {
    await Promise.all([purgeVideo(videoId), purgeComments(videoId), zone?.(videoKeys(videoId))]);
  };
}

/**
 * Drops cached copies of media URLs (a rewritten master playlist), here and, with a zone,
 * everywhere. The URLs are given for every origin the media is served from.
 */
export type MediaPurge = (urls: string[]) => Promise<void>;

export function mediaPurge(env: Env): MediaPurge {
  const zone = zonePurge(env);
  return async (urls) => {
    await Promise.all([purgeMediaCopies(urls), zone?.(urls)]);
  };
}

/** Cloudflare's API answers `{ success, errors: [{ code, message }], messages, result: { id } }`. */
interface PurgeAnswer {
  success: boolean;
  errors?: { code: number; message: string }[];
}

/**
 * `POST /zones/{zone_id}/purge_cache` with `{ files: [...] }` (purge by URL: up to 30 URLs a
 * call on every plan). A failed purge is logged, not thrown: the entries still expire with
 * their TTL, and the local purge already happened.
 */
export function zonePurge(env: Env, fetcher: typeof fetch = fetch) {
  const zoneId = env.CF_ZONE_ID;
  const token = env.CF_API_TOKEN;
  if (!zoneId || !token) return undefined;
  return async (urls: string[]) => {
    for (let i = 0; i < urls.length; i += 30) {
      const files = urls.slice(i, i + 30);
      try {
        const res = await fetcher(`https://api.cloudflare.com/client/v4/zones/${zoneId}/purge_cache`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ files }),
        });
        const answer = (await res.json().catch(() => ({ success: false }))) as PurgeAnswer;
        if (!res.ok || !answer.success) {
          log("warn", "zone purge failed", { status: res.status, errors: answer.errors ?? [], count: files.length });
        }
      } catch (err) {
        log("warn", "zone purge failed", { error: String(err), count: files.length });
      }
    }
  };
}
