import type { Reason } from "../schemas/recommendations";

/**
 * Computed recommendation lists in KV (the spec: cached per viewer for up to an hour). Each
 * user has a version that the watch-events consumer moves on a new view: the version is
 * part of the list's key, so a new watch makes the next request compute afresh without
 * deleting anything (KV is eventually consistent; a stale version only serves the old list
 * a little longer).
 */
export interface CachedPick {
  id: string;
  reason: Reason;
}

export const RECS_TTL_SECONDS = 3600;

const versionKey = (userId: string) => `recs:v1:version:${userId}`;
const listKey = (userId: string, region: string, version: string) => `recs:v1:list:${userId}:${region}:${version}`;
const relatedKey = (videoId: string) => `related:v1:${videoId}`;

export async function readRecommendations(kv: KVNamespace, userId: string, region: string) {
  const version = (await kv.get(versionKey(userId))) ?? "0";
  const picks = await kv.get<CachedPick[]>(listKey(userId, region, version), "json");
  return { version, picks };
}

export async function writeRecommendations(
  kv: KVNamespace,
  userId: string,
  region: string,
  version: string,
  picks: CachedPick[],
) {
  await kv.put(listKey(userId, region, version), JSON.stringify(picks), { expirationTtl: RECS_TTL_SECONDS });
}

/** A new view by this user: their next request computes a new list. */
export async function bumpVersion(kv: KVNamespace, userId: string, at: number) {
  // The version outlives the lists it names; after a day of no watching, "0" is as good.
  await kv.put(versionKey(userId), String(at), { expirationTtl: 86_400 });
}

export async function readRelated(kv: KVNamespace, videoId: string) {
  return kv.get<string[]>(relatedKey(videoId), "json");
}

export async function writeRelated(kv: KVNamespace, videoId: string, ids: string[]) {
  await kv.put(relatedKey(videoId), JSON.stringify(ids), { expirationTtl: RECS_TTL_SECONDS });
}
