import type { AuthUser, Database } from "../env";
import { AppError, forbidden, type InvalidParam, notFound, problem, validationFailed } from "../lib/errors";
import { errorField, log } from "../lib/log";
import {
  ANALYTICS_DEFAULT_DAYS,
  ANALYTICS_MAX_DAYS,
  ANALYTICS_MAX_HOURS,
  type AnalyticsRangeQuery,
  type ChannelAnalytics,
  type VideoAnalytics,
} from "../schemas/analytics";
import { findChannelByOwner } from "../storage/accounts";
import {
  type AnalyticsQuery,
  averageViewSeconds,
  GRANULARITIES,
  type Granularity,
  percentile,
  retention,
  type Scope,
  type TemplateRows,
} from "../storage/analytics-query";
import { findTitles, findVideo } from "../storage/videos";

export interface AnalyticsDeps {
  db: Database;
  /** The analytics store's reader (`ANALYTICS`); none where it is not set up: 503 `analytics_unavailable`. */
  query: AnalyticsQuery | undefined;
  now?: () => number;
}

/** A range to read: ms since the epoch, `from` inclusive, `to` exclusive. */
export interface AnalyticsRange {
  from: number;
  to: number;
  granularity: Granularity;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * The range a request asks for (API.md: `from`/`to` default to the last 28 days), its bounds
 * checked: `from` before `to`, at most 400 days apart, and hourly buckets over 31 days at most
 * (a chart of 745 points already; a year of hours would be 8,760 rows to send and draw).
 */
export function analyticsRange(q: AnalyticsRangeQuery, now: number): AnalyticsRange {
  const to = q.to === undefined ? now : Date.parse(q.to);
  const from = q.from === undefined ? to - ANALYTICS_DEFAULT_DAYS * DAY : Date.parse(q.from);
  const invalid: InvalidParam[] = [];
  if (from < 0) invalid.push({ name: "from", reason: "must not be before 1970" });
  else if (from >= to) invalid.push({ name: "from", reason: "must be before to" });
  else if (to - from > ANALYTICS_MAX_DAYS * DAY) {
    invalid.push({ name: "from", reason: `must be at most ${ANALYTICS_MAX_DAYS} days before to` });
  } else if (q.granularity === "hour" && to - from > ANALYTICS_MAX_HOURS * HOUR) {
    invalid.push({ name: "granularity", reason: `hour covers at most ${ANALYTICS_MAX_HOURS / 24} days; ask for day` });
  }
  if (invalid.length) throw validationFailed(invalid, "The range is not valid.");
  return { from, to, granularity: q.granularity };
}

type Figures = Omit<VideoAnalytics, "video">;

/** Every bucket of the range, oldest first, those without events as zeros. */
function everyBucket(rows: readonly TemplateRows["viewsOverTime"][], range: AnalyticsRange): Figures["views"] {
  const size = GRANULARITIES[range.granularity] * 1000;
  const found = new Map(rows.map((r) => [r.t * 1000, r]));
  const buckets: Figures["views"] = [];
  for (let t = Math.floor(range.from / size) * size; t < range.to; t += size) {
    const row = found.get(t);
    buckets.push({ t: new Date(t).toISOString(), views: row?.views ?? 0, watch_seconds: row?.watch_seconds ?? 0 });
  }
  return buckets;
}

/** The query, or 503 where no analytics store is set up. */
function reader(deps: AnalyticsDeps): AnalyticsQuery {
  if (!deps.query) {
    throw problem("analytics_unavailable", { detail: "Analytics are not set up on this platform." });
  }
  return deps.query;
}

/** A store that fails (the SQL API refusing or down) is a 503 to try again, logged with its cause. */
async function asked<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof AppError) throw err;
    log("error", "analytics query failed", { error: errorField(err) });
    throw problem("analytics_unavailable", { detail: "The analytics store did not answer; try again in a moment." });
  }
}

/** Every figure of API.md's answer over one scope (a video's or a channel's events), the templates run together. */
async function figures(query: AnalyticsQuery, scope: Scope, range: AnalyticsRange): Promise<Figures> {
  const p = { ...scope, ...range };
  const [series, [totals], reach, sources, regions, devices, startup, [sessions]] = await Promise.all([
    query.run("viewsOverTime", p),
    query.run("watchTime", p),
    query.run("reach", p),
    query.run("sources", p),
    query.run("regions", p),
    query.run("devices", p),
    query.run("startup", p),
    query.run("sessions", p),
  ]);
  const watchSeconds = totals?.watch_seconds ?? 0;
  const sessionCount = sessions?.sessions ?? 0;
  return {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    granularity: range.granularity,
    sampled: (totals?.sample_interval ?? 1) > 1,
    totals: { views: totals?.views ?? 0, watch_seconds: watchSeconds },
    views: everyBucket(series, range),
    retention: retention(reach),
    average_view_seconds: averageViewSeconds(totals),
    sources,
    regions,
    devices,
    quality: {
      startup_ms_p50: percentile(startup, 0.5),
      startup_ms_p95: percentile(startup, 0.95),
      rebuffer_ratio: watchSeconds ? (totals?.rebuffer_ms ?? 0) / 1000 / watchSeconds : 0,
      error_rate: sessionCount ? (sessions?.errored ?? 0) / sessionCount : 0,
    },
  };
}

/**
 * GET /studio/videos/{id}/analytics (owner): the video's figures over the range. Someone
 * else's video is 403, or 404 when it is private (it does not exist for them), as every
 * owner-only route answers; a moderator is no owner.
 */
export async function videoAnalytics(
  deps: AnalyticsDeps,
  user: AuthUser,
  videoId: string,
  q: AnalyticsRangeQuery,
): Promise<VideoAnalytics> {
  const range = analyticsRange(q, (deps.now ?? Date.now)());
  const video = await findVideo(deps.db, videoId);
  if (!video) throw notFound("Video");
  if (video.ownerId !== user.id) {
    if (video.visibility === "private") throw notFound("Video");
    throw forbidden("Only the video's owner may see its analytics.");
  }
  const query = reader(deps);
  return {
    video: { id: video.id, title: video.title, duration: video.duration === null ? null : video.duration / 1000 },
    ...(await asked(figures(query, { videoId }, range))),
  };
}

/** GET /studio/analytics (auth): the same figures over the caller's channel, with its most viewed videos. */
export async function channelAnalytics(
  deps: AnalyticsDeps,
  user: AuthUser,
  q: AnalyticsRangeQuery,
): Promise<ChannelAnalytics> {
  const range = analyticsRange(q, (deps.now ?? Date.now)());
  const channel = await findChannelByOwner(deps.db, user.id);
  if (!channel) throw notFound("Channel");
  const query = reader(deps);
  const scope = { channelId: channel.id };
  const [base, top] = await asked(
    Promise.all([figures(query, scope, range), query.run("topVideos", { ...scope, ...range })]),
  );
  const titles = await findTitles(
    deps.db,
    channel.id,
    top.map((v) => v.video_id),
  );
  return {
    channel: { id: channel.id, name: channel.name },
    ...base,
    top_videos: top.map((v) => ({ ...v, title: titles.get(v.video_id) ?? null })),
  };
}
