import type { AuthUser, Database } from "../../env";
import type { WatchEventMessage } from "../../schemas/videos";
import { channelsOfVideos, type HistoryStore } from "../../storage/history";
import * as cache from "../../storage/recommendation-cache";
import * as signals from "../../storage/signals";
import * as subscriptionStore from "../../storage/subscriptions";
import * as videoStore from "../../storage/videos";
import type { VectorBackend } from "../../vectors/backend";
import { videoText } from "../../vectors/embedder";
import { accessOf, assertVisible, videoSummaries } from "../videos";
import { type CoViewRow, contentCandidates, coViewCandidates, listCandidates, seedsOf } from "./candidates";
import { type Candidate, type Ranked, rank, type VideoFacts, type Viewer } from "./rank";

export interface RecommendationDeps {
  db: Database;
  kv: KVNamespace;
  /** Built on first use: a cached answer needs no embedder or index. */
  vectors: () => VectorBackend;
  /** The region's trending video ids, best first (global when the region has no list). */
  trending: (region: string, limit: number) => Promise<string[]>;
  origin: string;
  now?: () => number;
  /** A user's history (their own object). */
  history: (userId: string) => HistoryStore;
  /** Each video's co-views (its room). */
  coViews: signals.CoViewStore;
}

/** A user's most recent history, newest first, of videos that still exist: the seeds and the "already finished" filter. */
async function recentHistory(deps: RecommendationDeps, userId: string, limit: number) {
  const rows = await deps.history(userId).page(limit);
  const channels = await channelsOfVideos(
    deps.db,
    rows.map((r) => r.video_id),
  );
  return rows.flatMap((r) => {
    const channelId = channels.get(r.video_id);
    return channelId ? [{ videoId: r.video_id, percent: r.percent, channelId }] : [];
  });
}

const DAY = 86_400_000;
/** The lists are computed this long, whatever `limit` asks, so one cache entry serves every limit. */
export const MAX_LIMIT = 50;
/** Recent watches that seed co-view and content candidates. */
const SEEDS = 10;
/** Seeds whose content neighbours are looked up (one vector query each). */
const CONTENT_SEEDS = 3;
/** "Too new to have co-views": content similarity speaks for videos younger than this. */
export const NEW_VIDEO_WINDOW_MS = 7 * DAY;
/** Subscriptions contribute uploads this recent. */
const SUBSCRIPTION_WINDOW_MS = 14 * DAY;

/**
 * GET /api/v1/recommendations (spec: Recommendations Flow). Anonymous callers get trending
 * for their region. A signed-in user gets the blend of co-views of what they watched
 * recently, content neighbours that are too new for co-views, new uploads of their
 * subscriptions and regional trending, ranked once and cached in KV for up to an hour (a
 * new view starts a new list). Summaries are read fresh from D1 on every request, which is
 * also what keeps a video made private since out of a cached list.
 */
export async function recommendationsFor(
  deps: RecommendationDeps,
  user: AuthUser | undefined,
  region: string,
  limit: number,
) {
  if (!user) {
    const ids = await deps.trending(region, MAX_LIMIT);
    const items = await videoSummaries(deps.db, ids, deps.origin);
    return items.slice(0, limit).map((v) => ({ ...v, reason: { type: "trending" as const } }));
  }
  let { version, picks } = await cache.readRecommendations(deps.kv, user.id, region);
  if (!picks) {
    picks = (await computeFor(deps, user, region)).map(({ id, reason }) => ({ id, reason }));
    await cache.writeRecommendations(deps.kv, user.id, region, version, picks);
  }
  const reasons = new Map(picks.map((p) => [p.id, p.reason]));
  const items = await videoSummaries(
    deps.db,
    picks.map((p) => p.id),
    deps.origin,
  );
  return items.slice(0, limit).map((v) => ({ ...v, reason: reasons.get(v.id) ?? { type: "trending" as const } }));
}

/**
 * A signed-in viewer's new view (not every 10 s report: a view counts once per video per
 * hour) starts their next list afresh, rather than waiting out the hour.
 */
export async function refreshRecommendations(kv: KVNamespace, event: WatchEventMessage) {
  if (event.type === "watch" && event.view && event.viewer.startsWith("u:")) {
    await cache.bumpVersion(kv, event.viewer.slice(2), event.at);
  }
}

async function computeFor(deps: RecommendationDeps, user: AuthUser, region: string): Promise<Ranked[]> {
  const now = deps.now?.() ?? Date.now();
  const [history, subscribed, uploads, trending] = await Promise.all([
    recentHistory(deps, user.id, 200),
    subscriptionStore.subscribedChannels(deps.db, user.id),
    subscriptionStore.subscriptionUploads(deps.db, user.id, new Date(now - SUBSCRIPTION_WINDOW_MS), 20),
    deps.trending(region, MAX_LIMIT),
  ]);
  const watched = new Map(history.map((h) => [h.videoId, h.percent / 100]));
  const seeds = seedsOf(history.slice(0, SEEDS).map((h) => h.videoId));
  const seedIds = seeds.map((s) => s.id);

  const [coViewRows, contentMatches] = await Promise.all([
    coViewsOf(deps.coViews, seedIds, now),
    contentNeighbours(deps, seeds.slice(0, CONTENT_SEEDS), { published_at: { $gte: now - NEW_VIDEO_WINDOW_MS } }),
  ]);
  const totals = await signals.coViewTotals(deps.db, [...seedIds, ...coViewRows.map((r) => r.b)], now);
  const candidates: Candidate[] = [
    ...coViewCandidates(coViewRows, totals, seeds, 100),
    ...contentCandidates(contentMatches, new Set(seedIds), 50),
    ...listCandidates(
      uploads.map((u) => u.id),
      "subscription",
    ),
    ...listCandidates(trending, "trending"),
  ];

  const channelAffinity = new Map<string, number>();
  const recent = history.slice(0, 50);
  for (const h of recent) channelAffinity.set(h.channelId, (channelAffinity.get(h.channelId) ?? 0) + 1 / recent.length);
  for (const c of subscribed) channelAffinity.set(c, Math.min(1, (channelAffinity.get(c) ?? 0) + 0.5));
  const viewer: Viewer = { userId: user.id, watched, channelAffinity, now };
  return rank(candidates, await factsOf(deps.db, candidates), viewer, MAX_LIMIT);
}

/**
 * GET /api/v1/videos/{id}/related ("up next"): co-views of this video and its content
 * neighbours (the only signal a new video has), regional trending last, never the video
 * itself and never a private or unlisted one. Not personal, so cached per video.
 */
export async function relatedTo(
  deps: RecommendationDeps,
  videoId: string,
  viewer: AuthUser | undefined,
  region: string,
  limit: number,
) {
  assertVisible(await accessOf(deps.db, videoId), viewer);
  let ids = await cache.readRelated(deps.kv, videoId);
  if (!ids) {
    ids = (await computeRelated(deps, videoId, region)).map((r) => r.id);
    await cache.writeRelated(deps.kv, videoId, ids);
  }
  return (await videoSummaries(deps.db, ids, deps.origin)).slice(0, limit);
}

async function computeRelated(deps: RecommendationDeps, videoId: string, region: string): Promise<Ranked[]> {
  const seed = [{ id: videoId, weight: 1 }];
  const now = deps.now?.() ?? Date.now();
  const [rows, content, trending] = await Promise.all([
    coViewsOf(deps.coViews, [videoId], now, 100),
    contentNeighbours(deps, seed, undefined, 40),
    deps.trending(region, 20),
  ]);
  const totals = await signals.coViewTotals(deps.db, [videoId, ...rows.map((r) => r.b)], now);
  const candidates: Candidate[] = [
    ...coViewCandidates(rows, totals, seed, 100),
    ...contentCandidates(content, new Set([videoId]), 40),
    // Only a fallback: trending fills a list that co-views and content leave short.
    ...listCandidates(trending, "trending").map((c) => ({ ...c, score: c.score * 0.2 })),
  ];
  const viewer: Viewer = {
    watched: new Map([[videoId, 1]]),
    channelAffinity: new Map(),
    now,
  };
  return rank(candidates, await factsOf(deps.db, candidates), viewer, MAX_LIMIT);
}

/**
 * Each seed's nearest videos by content. A seed without a stored vector (unlisted, or not
 * yet embedded) is embedded on the spot from its text, so a brand-new video has neighbours
 * from its first minute.
 */
async function contentNeighbours(
  deps: RecommendationDeps,
  seeds: { id: string; weight: number }[],
  filter: Parameters<VectorBackend["index"]["query"]>[1]["filter"],
  topK = 20,
) {
  if (!seeds.length) return [];
  const { index, embedder } = deps.vectors();
  const stored = await index.get(seeds.map((s) => s.id));
  const missing = seeds.filter((s) => !stored.has(s.id));
  if (missing.length) {
    const rows = (await Promise.all(missing.map((s) => videoStore.findIndexable(deps.db, s.id)))).filter((r) => !!r);
    const vectors = await embedder.embed(rows.map((r) => videoText(r)));
    for (const [i, r] of rows.entries()) {
      const vector = vectors[i];
      if (vector) stored.set(r.id, vector);
    }
  }
  const queries = seeds.flatMap((s) => {
    const vector = stored.get(s.id);
    return vector ? [{ seed: s.id, weight: s.weight, vector }] : [];
  });
  return Promise.all(
    queries.map(async (q) => ({ seed: q.seed, weight: q.weight, hits: await index.query(q.vector, { topK, filter }) })),
  );
}

/** The decayed co-views of each seed, as the candidate functions take them. */
async function coViewsOf(
  coViews: signals.CoViewStore,
  seeds: string[],
  now: number,
  perSeed = 50,
): Promise<CoViewRow[]> {
  const rows = await signals.coViewsOf(coViews, seeds, now, perSeed);
  return rows.map((r) => ({ a: r.videoId, b: r.otherId, count: r.score }));
}

async function factsOf(db: Database, candidates: Candidate[]): Promise<Map<string, VideoFacts>> {
  const rows = await videoStore.rankingFacts(
    db,
    candidates.map((c) => c.id),
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        channelId: r.channelId,
        ownerId: r.ownerId,
        visibility: r.visibility,
        status: r.status,
        publishedAt: (r.publishedAt ?? r.createdAt).getTime(),
        completion:
          r.views && r.durationMs ? Math.min(1, (r.watchSeconds ?? 0) / r.views / (r.durationMs / 1000)) : undefined,
      },
    ]),
  );
}
