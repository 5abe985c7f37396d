import type { HourRow } from "../durable-objects/room-hours";
import type { Database } from "../env";
import { chunks, perKey } from "../lib/groups";
import { GLOBAL_REGION, isCountry } from "../lib/region";
import * as store from "../storage/trending";
import {
  HOUR_MS,
  pickTop,
  rankKey,
  scoreAt,
  sumByHour,
  TRENDING,
  type TrendingConfig,
  trendingScore,
} from "./trending-score";
import { videoSummaries } from "./videos";

export interface VideoActivity {
  hours: HourRow[];
  /** By region (`global`: all); a region left out has fewer than the cap's views. */
  viewers: Record<string, number>;
}

export interface TrendingDeps {
  db: Database;
  /** Where the lists go (KV: read on every request, written every 5 minutes). */
  lists: KVNamespace;
  /**
   * A video's hours since `fromHour` (every region) and its distinct viewers since then,
   * counted up to `cap`, globally and in each country with at least `cap` views: its room
   * keeps both (the hours and the view marks).
   */
  activity(videoId: string, fromHour: number, cap: number): Promise<VideoActivity>;
  config?: TrendingConfig;
}

/** The `category` of the list of every category. */
export const ALL_CATEGORIES = "all";
/** Videos recomputed per run at most; the rest wait for the next run (oldest change first). */
const MAX_VIDEOS_PER_RUN = 2000;
/**
 * The next run reads from this much before the last one: a roll-up stamped just before a run
 * but committed after its read is not missed. Such rows are read twice, never more.
 */
const WATERMARK_OVERLAP_MS = 60_000;

type ListRef = { region: string; category: string | null };

/**
 * Cron (every 5 minutes, spec: Trending Calculator Worker). Only videos whose rooms flushed
 * activity since the last run are read (their hours and viewers, one call to each room) and scored, per region and globally; their stored scores are
 * replaced, and only the lists they were or are in are rewritten to KV. The other videos'
 * scores need no work: every score decays at the same rate, so their order does not change.
 */
export async function refreshTrending(deps: TrendingDeps, now = Date.now()) {
  const config = deps.config ?? TRENDING;
  const { db } = deps;
  const watermark = await store.readWatermark(deps.lists);
  const since = watermark === null ? now - config.windowHours * HOUR_MS : watermark - WATERMARK_OVERLAP_MS;
  const active = await store.activeSince(db, since, MAX_VIDEOS_PER_RUN);
  const fromHour = Math.floor(now / HOUR_MS) - config.windowHours;
  const touched: ListRef[] = [];
  let scored = 0;

  for (const ids of chunks(active.map((a) => a.video_id))) {
    const [facts, before] = await Promise.all([store.factsOf(db, ids), store.listsOf(db, ids)]);
    touched.push(...before);
    const listable = facts.filter((f) => f.listable);
    const activity = await activityOf(
      deps,
      listable.map((f) => f.id),
      fromHour,
      config.minViewers,
    );
    const rows = scoreVideos(listable, activity, now, config);
    await store.replaceScores(db, ids, rows);
    touched.push(...rows);
    scored += rows.length;
  }
  touched.push(...(await store.dropStale(db, fromHour)));

  const lists = listsToWrite(touched);
  for (const list of lists) {
    const best = await store.ranked(db, list.region, list.category, config.listSize * 4);
    await store.writeList(deps.lists, {
      region: list.region,
      category: list.category ?? ALL_CATEGORIES,
      generated_at: now,
      items: pickTop(best, config).map((b) => ({ video_id: b.videoId, channel_id: b.channelId, rank_key: b.rankKey })),
    });
  }
  // A full run has seen everything up to now; a capped one only up to its last video.
  const seen = active.length === MAX_VIDEOS_PER_RUN ? Math.max(...active.map((a) => a.at)) : now;
  await store.writeWatermark(deps.lists, seen);
  return { videos: active.length, scores: scored, lists: lists.length };
}

/** Scores of a chunk of videos: one row per region where each passes the viewer threshold, and global. */
function scoreVideos(
  facts: store.TrendingFacts[],
  activity: Map<string, VideoActivity>,
  now: number,
  config: TrendingConfig,
): store.ScoreRow[] {
  const rows: store.ScoreRow[] = [];
  for (const video of facts) {
    const own = activity.get(video.id);
    if (!own) continue;
    const regions = new Set(own.hours.map((a) => a.region).filter(isCountry));
    const groups = [
      { region: GLOBAL_REGION, hours: sumByHour(own.hours) },
      ...[...regions].map((region) => ({ region, hours: own.hours.filter((a) => a.region === region) })),
    ];
    for (const { region, hours } of groups) {
      // A view is one viewer in one hour, so fewer views than the threshold means fewer viewers.
      const views = hours.reduce((n, h) => n + h.views, 0);
      const viewers = own.viewers[region] ?? 0;
      if (views < config.minViewers || viewers < config.minViewers) continue;
      const score = trendingScore(hours, video, now, config);
      if (!(score > 0)) continue;
      rows.push({
        videoId: video.id,
        region,
        channelId: video.channelId,
        category: video.category,
        score,
        rankKey: rankKey(score, now, config),
        viewers,
        lastHour: Math.max(...hours.map((h) => h.hour)),
        computedAt: now,
      });
    }
  }
  return rows;
}

/** Rooms asked at once: a run asks at most MAX_VIDEOS_PER_RUN rooms, one call each. */
const ROOMS_AT_ONCE = 16;

/** Each video's hours and viewers: one call to its room. */
async function activityOf(
  deps: TrendingDeps,
  ids: readonly string[],
  fromHour: number,
  cap: number,
): Promise<Map<string, VideoActivity>> {
  const out = new Map<string, VideoActivity>();
  await perKey(
    ids,
    (id) => id,
    ROOMS_AT_ONCE,
    async (videoId) => {
      out.set(videoId, await deps.activity(videoId, fromHour, cap));
    },
  );
  return out;
}

/** Each touched (region, category) list, and the region's list of every category. */
function listsToWrite(touched: readonly ListRef[]): ListRef[] {
  const seen = new Map<string, ListRef>();
  for (const t of touched) {
    for (const list of [{ region: t.region, category: null }, ...(t.category ? [t] : [])]) {
      seen.set(`${list.region}\u0000${list.category ?? ""}`, { region: list.region, category: list.category });
    }
  }
  return [...seen.values()];
}

/** The cron's list for a region and category in KV; an unknown region, or one without a list, gets the global one. */
async function listFor(lists: KVNamespace, region: string, category: string) {
  const own = isCountry(region) ? await store.readList(lists, region, category) : null;
  return own?.items.length ? own : store.readList(lists, GLOBAL_REGION, category);
}

/** The ids of the region's trending videos (every category), best first: a candidate source for recommendations. */
export async function trendingIds(lists: KVNamespace, region: string, limit: number): Promise<string[]> {
  const list = await listFor(lists, region, ALL_CATEGORIES);
  return (list?.items ?? []).slice(0, limit).map((i) => i.video_id);
}

/**
 * GET /api/v1/videos/trending: the region's list from KV, else the global one; items that
 * turned private, unlisted or were deleted since the list was written are left out.
 */
export async function trendingList(
  deps: TrendingDeps,
  query: { region: string; category: string; limit: number },
  origin: string,
  now = Date.now(),
) {
  const config = deps.config ?? TRENDING;
  const list = await listFor(deps.lists, query.region, query.category);
  const items = list?.items ?? [];
  const keys = new Map(items.map((i) => [i.video_id, i.rank_key]));
  // A few spare ids, so that items hidden since the list was written do not shorten the page.
  const wanted = items.slice(0, query.limit + 10).map((i) => i.video_id);
  const summaries = (await videoSummaries(deps.db, wanted, origin)).slice(0, query.limit);
  return {
    items: summaries.map((s) => ({ ...s, trending_score: round(scoreAt(keys.get(s.id) ?? 0, now, config)) })),
    page: 1,
    limit: query.limit,
    region: list?.region ?? GLOBAL_REGION,
    category: query.category,
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
