import { env } from "cloudflare:workers";

/**
 * Computed answers kept in the Cache API (the spec's Redis caches): one entry per key, purged
 * by every change to what it holds, and kept no longer than its TTL in case a purge in
 * another data centre is missed (Cache API entries are per data centre).
 */
const INTERNAL_ORIGIN = "https://cache.cloudtube.internal";

/**
 * Keys live under the deployment's own host (`PUBLIC_URL`) when it is set: a zone purge by
 * URL (Cloudflare's API, wiring/edge-purge.ts) reaches Cache API entries in every data
 * centre only for URLs of the zone. Nothing routes `/__cache/` to a page: the keys are names.
 */
const origin = () => (env.PUBLIC_URL ? `${new URL(env.PUBLIC_URL).origin}/__cache` : INTERNAL_ORIGIN);

/**
 * Every key of a cached answer, built here and nowhere else. Per-video keys are purged
 * together by `purgeVideo`; comment pages by `purgeComments`; searches and suggestions carry
 * the index version, so a change to the index makes new keys instead of purging old ones.
 */
export const cacheKeys = {
  /** GET /api/v1/videos/{id}/status, with owner and visibility for the access check. */
  status: (videoId: string) => `${origin()}/videos/${videoId}/status`,
  /** GET /api/v1/videos/{id} without the viewer's own parts. */
  video: (videoId: string) => `${origin()}/videos/${videoId}`,
  /** Who may fetch the video's media: visibility and owner, read for every tokenless segment. */
  access: (videoId: string) => `${origin()}/videos/${videoId}/access`,
  /** What its player events are stamped with: channel and length (the playback-events route). */
  playback: (videoId: string) => `${origin()}/videos/${videoId}/playback`,
  /** Where its player starts: the start level and the files of its first seconds (the watch page). */
  start: (videoId: string) => `${origin()}/videos/${videoId}/start`,
  /** The first page of a video's comments in one sort (seed: cached 5 minutes). */
  comments: (videoId: string, sort: string) => `${origin()}/videos/${videoId}/comments?sort=${sort}`,
  /** A search answer: every field that changes it (the folded query, filters, page, index version). */
  search: (fields: Record<string, string>) => `${origin()}/search?${new URLSearchParams(fields)}`,
  /** Search-as-you-type completions of the folded words, at an index version. */
  suggest: (version: number, terms: string) =>
    `${origin()}/suggest?${new URLSearchParams({ v: String(version), q: terms })}`,
};

/** The keys `purgeVideo` drops: every per-video answer but the comment pages (purged on their own). */
const VIDEO_KEYS = [cacheKeys.status, cacheKeys.video, cacheKeys.access, cacheKeys.start, cacheKeys.playback];

/** Every cached answer about a video, comment pages included: what a zone purge names. */
export const videoKeys = (videoId: string) => [
  ...VIDEO_KEYS.map((key) => key(videoId)),
  ...COMMENT_SORTS.map((sort) => cacheKeys.comments(videoId, sort)),
];

/**
 * A few seconds' memo in the isolate in front of the Cache API, for answers read on every
 * media request (a segment hit then costs one cache read, not two). A purge clears it in
 * this isolate; other isolates keep theirs at most `memoMs`, well inside the staleness the
 * Cache API already allows between data centres (its entries are per data centre).
 */
const memo = new Map<string, { value: unknown; until: number }>();
const MEMO_MAX_ENTRIES = 10_000;

function remember(key: string, value: unknown, memoMs: number) {
  if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
  memo.set(key, { value, until: Date.now() + memoMs });
}

async function readCached<T>(key: string, memoMs = 0): Promise<T | undefined> {
  if (memoMs) {
    const known = memo.get(key);
    if (known && known.until > Date.now()) return known.value as T;
  }
  const hit = await caches.default.match(key);
  if (!hit) return undefined;
  const value = (await hit.json()) as T;
  if (memoMs) remember(key, value, memoMs);
  return value;
}

async function writeCached(key: string, value: unknown, ttlSeconds: number, memoMs = 0): Promise<void> {
  if (memoMs) remember(key, value, memoMs);
  await caches.default.put(
    key,
    new Response(JSON.stringify(value), {
      headers: { "Content-Type": "application/json", "Cache-Control": `max-age=${ttlSeconds}` },
    }),
  );
}

export interface CachedOptions {
  /** Also keep the answer this long in the isolate (answers read on every media request). */
  memoMs?: number;
  /** Write the entry in the background (`ctx.waitUntil`) instead of before answering. */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/**
 * Read-through: the cached answer under `key`, else `compute()`'s, kept `ttlSeconds`.
 * `compute` answers undefined for "nothing there", which is not cached (a missing video
 * may be created; its absence must not outlive the request).
 */
export async function cached<T>(
  key: string,
  ttlSeconds: number,
  compute: () => Promise<T>,
  { memoMs = 0, waitUntil }: CachedOptions = {},
): Promise<T> {
  const hit = await readCached<T>(key, memoMs);
  if (hit !== undefined) return hit;
  const value = await compute();
  if (value === undefined) return value;
  const write = writeCached(key, value, ttlSeconds, memoMs);
  if (waitUntil) waitUntil(write);
  else await write;
  return value;
}

/** Drops every cached answer about a video (spec: "Invalidate CDN cache"). */
export async function purgeVideo(videoId: string): Promise<void> {
  for (const key of VIDEO_KEYS) memo.delete(key(videoId));
  await Promise.all(VIDEO_KEYS.map((key) => caches.default.delete(key(videoId))));
}

/**
 * Drops this data centre's cached copies of media URLs (the media route keeps whole objects
 * under their public URL): a playlist the platform rewrote, such as the master when captions
 * change.
 */
export async function purgeMediaCopies(urls: readonly string[]): Promise<void> {
  await Promise.all(urls.map((url) => caches.default.delete(url)));
}

/** Only the default page size of a video's first comment page is cached: every comment purges each cached entry. */
export const CACHED_COMMENT_LIMIT = 20;
const COMMENT_SORTS = ["newest", "top"] as const;

/** Drops every cached first page of the video's comments: on every deleted, approved or hidden comment. */
export async function purgeComments(videoId: string): Promise<void> {
  await Promise.all(COMMENT_SORTS.map((sort) => caches.default.delete(cacheKeys.comments(videoId, sort))));
}

/** At most one purge a second per video and isolate for new comments (the first one at once). */
export const COMMENT_PURGE_GAP_MS = 1_000;
const commentPurges = new Map<string, { last: number; scheduled: boolean }>();

/**
 * After a new comment is in D1: its video's cached first pages go, at once when this isolate
 * has not purged them within COMMENT_PURGE_GAP_MS (the POST waits for it, as for any purge),
 * else once the gap is over, in the background (`later`, the request's `waitUntil`). A purge
 * already scheduled covers the comment: it starts after the comment's row is in D1, so every
 * page cached before it goes and every page read after it has the row. A live room at 100
 * comments a second then costs this isolate one purge a second instead of a hundred (two
 * cache deletes each: 2.2 ms of the local runtime's CPU a comment in bench:room). Nothing waits
 * on another request's promise (the runtime refuses that I/O); the author reads past the cache
 * while their comment is recent (`listComments`), so the delay never hides it from them.
 */
export async function purgeCommentsAfterPost(
  videoId: string,
  later: (work: Promise<unknown>) => void,
  now = Date.now(),
): Promise<void> {
  let state = commentPurges.get(videoId);
  if (state?.scheduled) return;
  if (!state) {
    if (commentPurges.size >= MEMO_MAX_ENTRIES) commentPurges.clear();
    state = { last: 0, scheduled: false };
    commentPurges.set(videoId, state);
  }
  const wait = state.last + COMMENT_PURGE_GAP_MS - now;
  if (wait <= 0) {
    state.last = now;
    await purgeComments(videoId);
    return;
  }
  const scheduled = state;
  scheduled.scheduled = true;
  later(
    scheduler.wait(wait).then(async () => {
      // Cleared before the deletes start: a comment whose row lands from here on needs a purge of its own.
      scheduled.scheduled = false;
      scheduled.last = Date.now();
      await purgeComments(videoId);
    }),
  );
}
