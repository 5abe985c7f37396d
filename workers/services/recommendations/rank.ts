/**
 * Candidate generation's output and the one ranking step (Covington et al. 2016: candidates
 * from several sources, then one ranker). Pure: no I/O, so the Worker and the offline
 * evaluation (bench/recs-eval) run exactly this code.
 */
import type { Reason } from "../../schemas/recommendations";

export type Source = "coview" | "content" | "subscription" | "trending";

export type { Reason };

/** One source's vote for a video: `score` in [0, 1] within its source; `via` the watched video that led here. */
export interface Candidate {
  id: string;
  source: Source;
  score: number;
  via?: string;
}

/** What the ranker knows of a candidate video. */
export interface VideoFacts {
  id: string;
  channelId: string;
  ownerId: string;
  visibility: "public" | "unlisted" | "private";
  status: string;
  /** Milliseconds since the epoch. */
  publishedAt: number;
  /** Mean fraction of the video watched per view, when known. */
  completion?: number;
}

export interface Viewer {
  userId?: string;
  /** Fraction watched per video (0..1) of what the viewer has watched. */
  watched: Map<string, number>;
  /** 0..1 per channel: how much of the viewer's recent watching (or subscriptions) is that channel. */
  channelAffinity: Map<string, number>;
  now: number;
}

export interface Weights {
  coview: number;
  content: number;
  subscription: number;
  trending: number;
  freshness: number;
  completion: number;
  affinity: number;
  /** Freshness halves every this many milliseconds since publishing. */
  freshnessHalfLifeMs: number;
}

export const DEFAULT_WEIGHTS: Weights = {
  coview: 1,
  content: 0.6,
  subscription: 0.5,
  trending: 0.25,
  freshness: 0.15,
  completion: 0.1,
  affinity: 0.2,
  freshnessHalfLifeMs: 7 * 86_400_000,
};

/** API.md: a video watched to 90% or more is finished and never recommended again. */
export const FINISHED = 0.9;
/** API.md: at most two videos of one channel per list. */
export const PER_CHANNEL = 2;

export interface Ranked {
  id: string;
  score: number;
  reason: Reason;
}

interface Tally {
  total: number;
  bySource: Map<Source, number>;
  /** Co-view and content evidence per watched video, for `because_you_watched`. */
  via: Map<string, number>;
  coviewVias: Set<string>;
}

/**
 * Blends every source's votes with freshness, completion and channel affinity; leaves out
 * what the viewer may not or need not see (private, unlisted, not ready, their own,
 * finished); keeps at most `PER_CHANNEL` per channel; explains each pick by the source that
 * contributed most.
 */
export function rank(
  candidates: Candidate[],
  facts: Map<string, VideoFacts>,
  viewer: Viewer,
  limit: number,
  weights: Weights = DEFAULT_WEIGHTS,
): Ranked[] {
  const tallies = new Map<string, Tally>();
  for (const c of candidates) {
    const w = weights[c.source] * c.score;
    if (!(w > 0)) continue;
    let t = tallies.get(c.id);
    if (!t) {
      t = { total: 0, bySource: new Map(), via: new Map(), coviewVias: new Set() };
      tallies.set(c.id, t);
    }
    t.total += w;
    t.bySource.set(c.source, (t.bySource.get(c.source) ?? 0) + w);
    if (c.via && (c.source === "coview" || c.source === "content")) {
      t.via.set(c.via, (t.via.get(c.via) ?? 0) + w);
      if (c.source === "coview") t.coviewVias.add(c.via);
    }
  }
  const scored: Ranked[] = [];
  for (const [id, t] of tallies) {
    const f = facts.get(id);
    if (!f || !eligible(f, viewer)) continue;
    const age = Math.max(0, viewer.now - f.publishedAt);
    const score =
      t.total +
      weights.freshness * 0.5 ** (age / weights.freshnessHalfLifeMs) +
      weights.completion * (f.completion ?? 0) +
      weights.affinity * (viewer.channelAffinity.get(f.channelId) ?? 0);
    scored.push({ id, score, reason: reasonOf(t, f) });
  }
  scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return diversify(scored, facts, limit);
}

export function eligible(f: VideoFacts, viewer: Viewer): boolean {
  return (
    f.visibility === "public" &&
    f.status === "ready" &&
    f.ownerId !== viewer.userId &&
    (viewer.watched.get(f.id) ?? 0) < FINISHED
  );
}

/** Keeps list order, skipping a channel's third and later videos. */
export function diversify<T extends { id: string }>(ordered: T[], facts: Map<string, VideoFacts>, limit: number): T[] {
  const perChannel = new Map<string, number>();
  const out: T[] = [];
  for (const item of ordered) {
    const channel = facts.get(item.id)?.channelId ?? item.id;
    const n = perChannel.get(channel) ?? 0;
    if (n >= PER_CHANNEL) continue;
    perChannel.set(channel, n + 1);
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

function reasonOf(t: Tally, f: VideoFacts): Reason {
  let best: Source = "trending";
  let bestWeight = -1;
  for (const [source, w] of t.bySource) {
    if (w > bestWeight) [best, bestWeight] = [source, w];
  }
  if (best === "subscription") return { type: "subscribed", channel_id: f.channelId };
  if (best === "trending") return { type: "trending" };
  // Co-views or similar content: name the watched video that led here, unless the co-views
  // are spread over several watches with none carrying half: then it is the crowd's pick.
  let topVia = "";
  let topWeight = 0;
  let viaTotal = 0;
  for (const [via, w] of t.via) {
    viaTotal += w;
    if (w > topWeight) [topVia, topWeight] = [via, w];
  }
  if (!topVia || (best === "coview" && t.coviewVias.size > 1 && topWeight < viaTotal / 2)) {
    return { type: "similar_viewers" };
  }
  return { type: "because_you_watched", video_id: topVia };
}
