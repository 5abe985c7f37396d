/**
 * Creator analytics' reads (issue 23): whitelisted SQL templates over the player events the
 * `AnalyticsSink` writes (docs/capacity.md, "Analytics Engine data point"). A caller names a
 * template and gives typed parameters; nothing else reaches SQL. The templates are written
 * once, in the SQL both stores speak (column names, `SUM`, comparisons that count as 0 or 1),
 * over one shape of rows: the events folded to one row per video, hour, session and audience
 * (`fold()`). What the stores do differently is a `Dialect`: where those rows come from, and
 * how to floor a time and take a whole part. Every count is weighted by `_sample_interval` (1
 * locally), so the figures are estimates of the whole when Analytics Engine samples.
 *
 * Two runners: the local store's (`analytics-local.ts`: D1's SQLite, which reads whole hours
 * from a roll-up it keeps on write), and Analytics Engine's SQL API over HTTP in production
 * (`analyticsEngineQuery`, which folds its raw events at read time).
 */
import { ID_PATTERN } from "../../contracts/ids";

/** The seconds of playing a heartbeat stands for (the player sends one every 10 s while playing). */
export const HEARTBEAT_SECONDS = 10;

export const GRANULARITIES = { hour: 3600, day: 86_400 } as const;
export type Granularity = keyof typeof GRANULARITIES;

/** What differs between the stores' SQL over raw events, by name. */
export interface EventDialect {
  /** The events' table (or dataset). */
  table: string;
  /** The start of an event's hour (`timestamp`'s), as Unix seconds. */
  hour: string;
  /**
   * A bound on `timestamp`, given in whole seconds since the epoch. Both stores keep whole
   * seconds; `seconds()` rounds a ms bound up to one, so a range ending now still holds the
   * events of this second (`timestamp < now` would lose them), and ranges that meet never share
   * an event.
   */
  time(seconds: number): string;
  /** A non-negative number's whole part. */
  whole(expr: string): string;
}

/** What `totals()` sums a scope's hours by, besides the video: nothing, an audience column or the startup bucket. */
export const TOTALS_BY = ["all", "source", "region", "device", "startup"] as const;
export type TotalsBy = (typeof TOTALS_BY)[number];
/** Each `TotalsBy`'s key among `fold()`'s columns. */
export const TOTALS_KEY: Record<TotalsBy, string> = {
  all: "''",
  source: "source",
  region: "region",
  device: "device",
  startup: "startup_bucket",
};

/**
 * What a template needs of a store: the scope's events in [from, to) summed in one of two
 * shapes, and two functions. Both shapes are sums and maxima of `fold()`'s rows, so they are
 * exact whatever rows a store sums them from. Analytics Engine folds its raw events at read
 * time; the local store keeps both shapes in step with every write and folds only a range's
 * partial end hours.
 */
export interface Dialect {
  /**
   * `totalsOf()`'s rows (a subquery): per video, hour and key (`by`), the starts, heartbeats,
   * rebuffering, measured starts and largest sample interval.
   */
  totals(p: Params, by: TotalsBy): string;
  /**
   * `sessionsOf()`'s rows (a subquery): per session of a video, how far it got, whether it
   * started or failed, its weight. A store may give sessions of the same figures as one row
   * with their weights summed (the local store's whole days: `session` is null, `reached` the
   * percent of a `video_length` of 100), as every template over sessions sums weights by the
   * other columns and never counts rows.
   */
  sessions(p: Params): string;
  /** A whole number of seconds, floored to a multiple of `seconds`. */
  floor(expr: string, seconds: number): string;
  /** A non-negative number's whole part. */
  whole(expr: string): string;
}

/** A ms bound as the whole second that `time()` takes (rounded up: see `EventDialect.time`). */
export const seconds = (ms: number) => Math.ceil(ms / 1000);

/** Whose events a template reads: one video's (`index1`, the sampling key) or one channel's (`blob8`). */
export type Scope = { videoId: string; channelId?: undefined } | { channelId: string; videoId?: undefined };

export type Params = Scope & {
  /** ms since the epoch, inclusive. */
  from: number;
  /** ms since the epoch, exclusive. */
  to: number;
  granularity: Granularity;
};

/** The parameters, checked before they are written into SQL (ids by the platform's pattern, times as integers). */
function checked(p: Params): Params {
  if ((p.videoId === undefined) === (p.channelId === undefined)) {
    throw new RangeError("a query reads one video's events or one channel's");
  }
  if (p.videoId !== undefined && !ID_PATTERN.test(p.videoId)) {
    throw new RangeError("a video id is 1-32 URL-safe characters");
  }
  if (p.channelId !== undefined && !ID_PATTERN.test(p.channelId)) {
    throw new RangeError("a channel id is 1-32 URL-safe characters");
  }
  for (const t of [p.from, p.to]) if (!Number.isSafeInteger(t) || t < 0) throw new RangeError("times are whole ms");
  if (!(p.granularity in GRANULARITIES)) throw new RangeError("granularity is hour or day");
  return p;
}

/** The scope as a condition on raw events. */
const eventScope = (p: Scope) => (p.videoId !== undefined ? `index1 = '${p.videoId}'` : `blob8 = '${p.channelId}'`);

/** How wide a bucket of the startup-time histogram is, in ms (the percentiles' precision). */
export const STARTUP_BUCKET_MS = 10;
/** How many videos `topVideos` answers. */
export const TOP_VIDEOS = 10;

/**
 * The fold: raw events to one row per video, channel, hour, session and audience, with every
 * sum weighted by `_sample_interval`. Every template is a `GROUP BY` of these rows on some of
 * their keys, with sums and maxima, so folding first changes no answer: the roll-up of an hour
 * answers exactly what its events would. `furthest` is how far the session played in that
 * hour (heartbeat, pause and end positions, and where a seek left from, which was played up
 * to; a seek's landing is not playing). `startup_bucket` is the 10 ms bucket of the row's
 * measured start (a playback sends one `start`; two in one session, hour and audience would
 * both count in the larger one's bucket).
 */
export function fold(e: EventDialect, where: string): string {
  return `SELECT index1, blob8 AS channel, ${e.hour} AS t_hour, blob2 AS session,
     blob3 AS source, blob4 AS region, blob5 AS device,
     SUM(_sample_interval * (blob1 = 'start')) AS starts_w,
     SUM(_sample_interval * (blob1 = 'heartbeat')) AS heartbeats_w,
     SUM(_sample_interval * (blob1 = 'rebuffer') * double4) AS rebuffer_w,
     MAX(double1 * (blob1 IN ('heartbeat', 'pause', 'end')) + double2 * (blob1 = 'seek')) AS furthest,
     MAX(double5) AS length_s,
     MAX(blob1 = 'error') AS errored_any,
     SUM(_sample_interval * (blob1 = 'start') * (double3 > 0)) AS timed_w,
     MAX(${e.whole(`double3 / ${STARTUP_BUCKET_MS}`)} * ${STARTUP_BUCKET_MS} * (blob1 = 'start')) AS startup_bucket,
     MAX(_sample_interval) AS w
   FROM ${e.table} WHERE ${where}
   GROUP BY index1, channel, t_hour, session, source, region, device`;
}

/** The fold's columns, in order (the local roll-up table's too). */
export const FOLD_COLUMNS = [
  "index1",
  "channel",
  "t_hour",
  "session",
  "source",
  "region",
  "device",
  "starts_w",
  "heartbeats_w",
  "rebuffer_w",
  "furthest",
  "length_s",
  "errored_any",
  "timed_w",
  "startup_bucket",
  "w",
] as const;

/**
 * `fold()`'s rows (`rows`, a subquery) summed per video, hour and key: the shape every
 * template but the per-session ones reads (`Dialect.totals`). Its columns are named apart from
 * the templates' answers (ClickHouse would take `SUM(x) AS x` for a cyclic alias).
 */
export const totalsOf = (rows: string, by: TotalsBy) =>
  `SELECT index1, t_hour, ${TOTALS_KEY[by]} AS k,
     SUM(starts_w) AS n_starts, SUM(heartbeats_w) AS n_heartbeats, SUM(rebuffer_w) AS rebuffer_sum,
     SUM(timed_w) AS n_timed, MAX(w) AS weight
   FROM ${rows} AS f GROUP BY index1, t_hour, k`;

/**
 * `fold()`'s rows (`rows`) per session (a session is one playback of one video: its id with
 * the video's, so that a channel's sessions never mix two videos): how far it played, the
 * video's length, whether it started and whether it failed (`Dialect.sessions`).
 */
export const sessionsOf = (rows: string) =>
  `SELECT index1, session, MAX(furthest) AS reached, MAX(length_s) AS video_length,
     MAX(starts_w > 0) AS started, MAX(errored_any) AS had_error, MAX(w) AS weight
   FROM ${rows} AS f GROUP BY index1, session`;

/** The scope's events in [a, b) (whole seconds), folded: a subquery. */
export const foldedEvents = (e: EventDialect, p: Params, a: number, b: number) =>
  `(${fold(e, `${eventScope(p)} AND timestamp >= ${e.time(a)} AND timestamp < ${e.time(b)}`)})`;

/** A store that folds raw events at read time (Analytics Engine's way; locally, the reference the store must equal). */
export function foldingDialect(e: EventDialect, floor: Dialect["floor"]): Dialect {
  const rows = (p: Params) => foldedEvents(e, p, seconds(p.from), seconds(p.to));
  return {
    totals: (p, by) => `(${totalsOf(rows(p), by)})`,
    sessions: (p) => `(${sessionsOf(rows(p))})`,
    floor,
    whole: e.whole,
  };
}

/** Views (sessions that sent `start`) by one audience column, most first: traffic source, region or device. */
const viewsBy = (column: "source" | "region" | "device") => (d: Dialect, p: Params) =>
  `SELECT k AS ${column}, SUM(n_starts) AS views
     FROM ${d.totals(p, column)} AS h WHERE n_starts > 0
     GROUP BY ${column} ORDER BY views DESC, ${column}`;

/** The whitelist: each template's SQL in a dialect, and the shape of its rows. */
export const TEMPLATES = {
  /** Views (sessions that sent `start`) and watch time per bucket, oldest first. */
  viewsOverTime: (d: Dialect, p: Params) =>
    `SELECT ${d.floor("t_hour", GRANULARITIES[p.granularity])} AS t,
       SUM(n_starts) AS views,
       SUM(n_heartbeats) * ${HEARTBEAT_SECONDS} AS watch_seconds
     FROM ${d.totals(p, "all")} AS h
     GROUP BY t ORDER BY t`,
  /**
   * Totals over the range: views, watch seconds (heartbeats x 10 s), rebuffering (ms, from
   * `rebuffer` events) and the largest `_sample_interval` among the rows (above 1: the
   * figures are estimates from sampled rows).
   */
  watchTime: (d: Dialect, p: Params) =>
    `SELECT SUM(n_starts) AS views,
       SUM(n_heartbeats) * ${HEARTBEAT_SECONDS} AS watch_seconds,
       SUM(rebuffer_sum) AS rebuffer_ms,
       MAX(weight) AS sample_interval
     FROM ${d.totals(p, "all")} AS h`,
  /**
   * How far each started session got: sessions by the whole percent of the video their
   * furthest played position reached (the fold's `furthest`, over all its hours). Without the
   * seek's origin, a viewer who played to 40% between heartbeats and seeked back counted as
   * reaching the last heartbeat before it (`npm run eval:analytics`: 0.9 pp off the exact
   * curve on short videos, 0.3 with it). Seeking back and rewatching never lower it; a session
   * that never started is not counted. `retention()` turns the histogram into the 100-point
   * curve.
   */
  reach: (d: Dialect, p: Params) =>
    `SELECT ${d.whole("100 * reached / video_length")} AS pct, SUM(weight) AS sessions
     FROM ${d.sessions(p)} AS s WHERE started = 1 AND video_length > 0
     GROUP BY pct ORDER BY pct`,
  /** Views by traffic source, most first. */
  sources: viewsBy("source"),
  /** Views by region (ISO country or `ZZ`), most first. */
  regions: viewsBy("region"),
  /** Views by device class, most first. */
  devices: viewsBy("device"),
  /**
   * Startup times (`start` events that measured one) as a histogram of 10 ms buckets, each
   * bucket by its lower bound: neither store's percentile is in the other (SQLite has none),
   * so `percentile()` reads p50 and p95 from these rows, to within a bucket.
   */
  startup: (d: Dialect, p: Params) =>
    `SELECT k AS ms, SUM(n_timed) AS starts
     FROM ${d.totals(p, "startup")} AS h WHERE n_timed > 0
     GROUP BY ms ORDER BY ms`,
  /** Sessions (any event, started or not: a player that failed before its first frame counts) and those with an `error`. */
  sessions: (d: Dialect, p: Params) =>
    `SELECT SUM(weight) AS sessions, SUM(weight * had_error) AS errored FROM ${d.sessions(p)} AS s`,
  /** The most viewed videos of the scope (a channel's), with their watch time, at most 10. */
  topVideos: (d: Dialect, p: Params) =>
    `SELECT index1 AS video_id,
       SUM(n_starts) AS views,
       SUM(n_heartbeats) * ${HEARTBEAT_SECONDS} AS watch_seconds
     FROM ${d.totals(p, "all")} AS h
     GROUP BY video_id ORDER BY views DESC, watch_seconds DESC, video_id LIMIT ${TOP_VIDEOS}`,
} as const;

/**
 * The retention curve (API.md): `retention[i]` is the share of started sessions whose furthest
 * played point is at least i percent of the video (i = 0..99), from `reach`'s histogram.
 */
export function retention(rows: readonly TemplateRows["reach"][]): number[] {
  const counts = new Array<number>(101).fill(0);
  for (const row of rows) {
    const pct = Math.min(100, Math.max(0, row.pct));
    counts[pct] = (counts[pct] ?? 0) + row.sessions;
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const curve = new Array<number>(100).fill(0);
  if (!total) return curve;
  let still = total;
  for (let i = 0; i < 100; i++) {
    curve[i] = still / total;
    still -= counts[i] ?? 0;
  }
  return curve;
}

/**
 * The weighted `q` quantile (0-1) of a histogram: the smallest value at or below which at
 * least that share of the weight lies (nearest rank); null without any weight.
 */
export function percentile(rows: readonly TemplateRows["startup"][], q: number): number | null {
  const total = rows.reduce((n, r) => n + r.starts, 0);
  if (!total) return null;
  const sorted = [...rows].sort((a, b) => a.ms - b.ms);
  let seen = 0;
  for (const row of sorted) {
    seen += row.starts;
    if (seen >= q * total) return row.ms;
  }
  return sorted[sorted.length - 1]?.ms ?? null;
}

export interface TemplateRows {
  viewsOverTime: { t: number; views: number; watch_seconds: number };
  watchTime: {
    views: number | null;
    watch_seconds: number | null;
    rebuffer_ms: number | null;
    sample_interval: number | null;
  };
  reach: { pct: number; sessions: number };
  sources: { source: string; views: number };
  regions: { region: string; views: number };
  devices: { device: string; views: number };
  startup: { ms: number; starts: number };
  sessions: { sessions: number | null; errored: number | null };
  topVideos: { video_id: string; views: number; watch_seconds: number };
}
export type TemplateName = keyof typeof TEMPLATES;

export interface AnalyticsQuery {
  run<K extends TemplateName>(name: K, params: Params): Promise<TemplateRows[K][]>;
}

/** A whitelisted template's SQL in `dialect`, its parameters checked first. */
export function templateSql(name: TemplateName, dialect: Dialect, params: Params): string {
  const template = TEMPLATES[name];
  if (!template) throw new RangeError(`no template ${String(name)}`);
  return template(dialect, checked(params));
}

/** Average view duration in seconds: watch time over views (0 without views). */
export const averageViewSeconds = (row: TemplateRows["watchTime"] | undefined) =>
  row?.views ? (row.watch_seconds ?? 0) / row.views : 0;

/**
 * Analytics Engine's SQL (ClickHouse's functions): `timestamp` is a DateTime, turned into Unix
 * seconds for buckets; bounds are Unix seconds. `dataset` is the binding's dataset name.
 */
export function analyticsEngineDialect(dataset: string): Dialect {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(dataset)) throw new RangeError("a dataset name is letters, digits and _");
  return foldingDialect(
    {
      table: dataset,
      hour: "toUnixTimestamp(toStartOfHour(timestamp))",
      time: (s) => `toDateTime(${s})`,
      whole: (expr) => `toUInt32(${expr})`,
    },
    (expr, s) => (s === 3600 ? expr : `intDiv(${expr}, ${s}) * ${s}`),
  );
}

/** Where and as whom the production runner asks: an API token with Account Analytics Read. */
export interface AnalyticsEngineApi {
  accountId: string;
  token: string;
  dataset: string;
  /** The fetch to use (tests give their own). */
  fetch?: typeof fetch;
}

/** The SQL API's JSON answer (FORMAT JSON): each column's type, and the rows by column name. */
interface SqlApiAnswer {
  meta?: { name: string; type: string }[];
  data?: Record<string, unknown>[];
}

/**
 * The production runner: a template in Analytics Engine's dialect, POSTed as the body to
 * `/accounts/{id}/analytics_engine/sql` with `FORMAT JSON`. 64-bit integers come back as
 * strings in that format, so every column the answer's `meta` calls numeric becomes a number.
 * A refusal or an answer of another shape is an error that names only the status.
 */
export function analyticsEngineQuery(api: AnalyticsEngineApi): AnalyticsQuery {
  const dialect = analyticsEngineDialect(api.dataset);
  const url = `https://api.cloudflare.com/client/v4/accounts/${encodeURIComponent(api.accountId)}/analytics_engine/sql`;
  return {
    async run(name, params) {
      const sql = `${templateSql(name, dialect, params)} FORMAT JSON`;
      const res = await (api.fetch ?? fetch)(url, {
        method: "POST",
        headers: { Authorization: `Bearer ${api.token}`, "Content-Type": "text/plain" },
        body: sql,
      });
      if (!res.ok) throw new Error(`the Analytics Engine SQL API answered ${res.status}`);
      const answer = (await res.json()) as SqlApiAnswer;
      if (!Array.isArray(answer.data)) throw new Error("the Analytics Engine SQL API answered without data");
      const numeric = new Set((answer.meta ?? []).filter((c) => /Int|Float|Decimal/.test(c.type)).map((c) => c.name));
      return answer.data.map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, numeric.has(k) && v !== null ? Number(v) : v])),
      ) as never;
    },
  };
}
