import { type HourRow, sumBy } from "../durable-objects/room-hours";

/**
 * Trending scores as pure functions of activity, facts about the video and a clock, so tests
 * control time. Seed: score = views + 2 likes + 1.5 comments + 3 shares + 0.1 watch time,
 * normalised by video age (newer higher) and channel size (smaller higher).
 */

export const HOUR_MS = 3600_000;

export interface TrendingConfig {
  /** Activity counts half after this many hours: trending follows what is watched now. */
  halfLifeHours: number;
  /** Activity older than this is not read at all. */
  windowHours: number;
  /** Distinct viewers (in the list's region) a video needs before it may trend. */
  minViewers: number;
  /** Videos of one channel per list. */
  perChannel: number;
  /** Videos per list (the spec's top 100). */
  listSize: number;
}

export const TRENDING: TrendingConfig = {
  halfLifeHours: 6,
  windowHours: 48,
  minViewers: 3,
  perChannel: 2,
  listSize: 100,
};

const WEIGHTS = { views: 1, likes: 2, comments: 1.5, shares: 3, watchMinutes: 0.1 };

/** One hour of one video's activity (an hour its room keeps in one region, or their sum). */
export type HourActivity = Omit<HourRow, "region">;

export interface VideoFacts {
  durationSeconds: number | null;
  publishedAt: number | null;
  subscribers: number;
}

/** The weight of an hour's activity at `now`: 1 for the current hour's middle, halving every half-life. */
export function decayWeight(hour: number, now: number, halfLifeHours: number): number {
  const ageHours = Math.max(0, now / HOUR_MS - (hour + 0.5));
  return 0.5 ** (ageHours / halfLifeHours);
}

/** Decayed engagement: the spec's weighted sum, each hour weighted by its age. Never negative. */
export function heat(rows: readonly HourActivity[], now: number, config = TRENDING): number {
  const from = Math.floor(now / HOUR_MS) - config.windowHours;
  let sum = 0;
  for (const r of rows) {
    if (r.hour < from) continue;
    const points =
      r.views * WEIGHTS.views +
      r.likes * WEIGHTS.likes +
      r.comments * WEIGHTS.comments +
      r.shares * WEIGHTS.shares +
      (r.watchSeconds / 60) * WEIGHTS.watchMinutes;
    sum += points * decayWeight(r.hour, now, config.halfLifeHours);
  }
  return Math.max(0, sum);
}

/** The share of the video an average view watched, 0-1 (a neutral 0.5 when the length is unknown). */
export function completion(rows: readonly HourActivity[], durationSeconds: number | null): number {
  const views = rows.reduce((n, r) => n + r.views, 0);
  const watched = rows.reduce((n, r) => n + r.watchSeconds, 0);
  if (!durationSeconds || !views) return 0.5;
  return Math.min(1, watched / (views * durationSeconds));
}

/**
 * Channel size: 1 for a channel nobody follows, 1/2 at 9 subscribers, 1/6 at 100,000. A
 * small channel's video with a fraction of a big channel's views can outrank it.
 */
export function channelFactor(subscribers: number): number {
  return 1 / (1 + Math.log10(1 + Math.max(0, subscribers)));
}

/** Age: 2 for a video published now, 1.5 a day later, towards 1 for old ones. */
export function freshness(publishedAt: number | null, now: number): number {
  if (publishedAt === null) return 1;
  const ageHours = Math.max(0, (now - publishedAt) / HOUR_MS);
  return 1 + 24 / (24 + ageHours);
}

/** The trending score at `now`: decayed engagement x completion x channel size x age. */
export function trendingScore(
  rows: readonly HourActivity[],
  facts: VideoFacts,
  now: number,
  config = TRENDING,
): number {
  return (
    heat(rows, now, config) *
    (0.5 + completion(rows, facts.durationSeconds)) *
    channelFactor(facts.subscribers) *
    freshness(facts.publishedAt, now)
  );
}

/**
 * A score as a key that ranks scores computed at different times: every score decays at
 * the same rate, so log2(score) + hours / half-life does not change while nothing happens.
 * Only videos with new activity need recomputing; the others keep their key.
 */
export function rankKey(score: number, now: number, config = TRENDING): number {
  return Math.log2(score) + now / HOUR_MS / config.halfLifeHours;
}

/** The score at `now` of a rank key. */
export function scoreAt(key: number, now: number, config = TRENDING): number {
  return 2 ** (key - now / HOUR_MS / config.halfLifeHours);
}

/** The best `size` of a ranked list, at most `perChannel` per channel, in order. */
export function pickTop<T extends { channelId: string }>(ranked: readonly T[], config = TRENDING): T[] {
  const perChannel = new Map<string, number>();
  const out: T[] = [];
  for (const item of ranked) {
    const n = perChannel.get(item.channelId) ?? 0;
    if (n >= config.perChannel) continue;
    perChannel.set(item.channelId, n + 1);
    out.push(item);
    if (out.length === config.listSize) break;
  }
  return out;
}

/** Sums rows of several regions into one row per hour: the global activity. */
export const sumByHour = (rows: readonly HourActivity[]): HourActivity[] => sumBy(rows, (r) => r.hour);
