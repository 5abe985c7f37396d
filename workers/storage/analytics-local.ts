/**
 * The local analytics store (`ANALYTICS = "local"`: `npm start` and the tests), in the
 * `ANALYTICS_LOCAL` D1 database. Six tables, all but the first kept in step with every write,
 * in its own transaction:
 *
 * - `playback_events`: every event as the data point Analytics Engine would keep (its column
 *   names, `_sample_interval = 1`), so the production templates' SQL runs on it unchanged.
 * - `playback_rollup`: those events folded to one row per video, hour, session and audience
 *   (`fold()` of analytics-query.ts).
 * - `playback_hours`: the roll-up summed per video, hour and key (`totalsOf()`: all, each
 *   audience column, the startup bucket), what every template but the per-session ones reads.
 * - `playback_days`: the same summed per day.
 * - `playback_sessions`: the roll-up per session (`sessionsOf()`), with its first and last hour.
 * - `playback_session_days`: the sessions whose hours lie in one day, counted per day and
 *   figure (started, video length known, failed, `reach`'s percent).
 *
 * Why: SQLite scans about a million rows a second per template, so a video with a million
 * events took 2.7 s to answer (Analytics Engine's column store does not need this). Every
 * template is sums and maxima, so the tables answer exactly what the events would. A read
 * takes the range's whole days and whole hours from them and folds only the partial hours at
 * its ends from the events (`SQLITE`); the sessions wholly inside the whole hours come from
 * `playback_session_days` and `playback_sessions` as they are, and those that cross the
 * range's edges are summed again from their roll-up rows in range.
 */
import { type AnalyticsSink, BLOBS, bounded, DOUBLES, type PlaybackEvent, toDataPoint } from "./analytics";
import {
  type AnalyticsQuery,
  type Dialect,
  type EventDialect,
  FOLD_COLUMNS,
  fold,
  foldedEvents,
  foldingDialect,
  type Params,
  seconds,
  sessionsOf,
  TOTALS_BY,
  TOTALS_KEY,
  type TotalsBy,
  templateSql,
  totalsOf,
} from "./analytics-query";

/** The events' table: Analytics Engine's column names, so a template's SQL runs unchanged. */
export const LOCAL_TABLE = "playback_events";
/** The roll-up of the events: `fold()`'s rows, one per video, hour, session and audience. */
export const LOCAL_ROLLUP = "playback_rollup";
/** The roll-up summed per video, hour and key: `totalsOf()`'s rows, with the channel and the key's kind. */
export const LOCAL_HOURS = "playback_hours";
/** The roll-up per session: `sessionsOf()`'s rows, with the channel and the session's first and last hour. */
export const LOCAL_SESSIONS = "playback_sessions";
/** The hours summed per video, day and key: the same rows as `playback_hours`, a day each. */
export const LOCAL_DAYS = "playback_days";
/** The sessions of one day counted per video, day and figure (how far, started, failed): the histogram `reach` reads. */
export const LOCAL_SESSION_DAYS = "playback_session_days";

const DAY = 86_400;

const blobColumns = BLOBS.map((_, i) => `blob${i + 1}`);
const doubleColumns = DOUBLES.map((_, i) => `double${i + 1}`);
export const LOCAL_TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${LOCAL_TABLE} (
  timestamp TEXT NOT NULL,
  index1 TEXT NOT NULL,
  ${blobColumns.map((c) => `${c} TEXT NOT NULL`).join(",\n  ")},
  ${doubleColumns.map((c) => `${c} REAL NOT NULL`).join(",\n  ")},
  _sample_interval INTEGER NOT NULL DEFAULT 1
)`;

const HOURS_COLUMNS = [
  "index1",
  "channel",
  "t_hour",
  "dim",
  "k",
  "n_starts",
  "n_heartbeats",
  "rebuffer_sum",
  "n_timed",
  "weight",
];
const DAYS_COLUMNS = HOURS_COLUMNS.map((c) => (c === "t_hour" ? "t_day" : c));
const SESSION_DAYS_COLUMNS = ["index1", "channel", "t_day", "started", "counted", "had_error", "pct", "n", "weight"];
const SESSION_COLUMNS = [
  "index1",
  "session",
  "channel",
  "first_hour",
  "last_hour",
  "reached",
  "video_length",
  "started",
  "had_error",
  "weight",
];

/**
 * What `fold()` reads of an event, after the video and time it is found by: the video's index
 * holds them all, so folding a range's partial hours never looks an event up in the table.
 * Each template folds them, so at a million events the lookups were about 0.7 ms of each
 * template's 4 (on a file-backed store, half of the fold); the price is an index about as large
 * as the events' table, where the plain one on video and time was a third of it.
 */
const FOLDED_COLUMNS = [
  "blob1",
  "blob2",
  "blob3",
  "blob4",
  "blob5",
  "blob8",
  ...doubleColumns.slice(0, 5),
  "_sample_interval",
];

/** The hours' table and the days' (the same sums per video, key kind and key, by `t`: the hour or the day). */
const totalsTableSql = (table: string, t: "t_hour" | "t_day") => `CREATE TABLE IF NOT EXISTS ${table} (
  index1 TEXT NOT NULL,
  channel TEXT NOT NULL,
  ${t} INTEGER NOT NULL,
  dim TEXT NOT NULL,
  k NOT NULL,
  n_starts INTEGER NOT NULL,
  n_heartbeats INTEGER NOT NULL,
  rebuffer_sum REAL NOT NULL,
  n_timed INTEGER NOT NULL,
  weight INTEGER NOT NULL,
  PRIMARY KEY (index1, dim, ${t}, k)
) WITHOUT ROWID`;

/**
 * The store's tables and indexes. The derived tables are clustered as they are read: the
 * roll-up by video and hour, the hours by video, key kind and hour, the sessions by video and
 * last hour (a range's sessions are those whose last hour is in it, or after it and crossing
 * in); `k` has no type, so a startup bucket stays a number and an audience value text. The
 * sessions that span hours have an index of their own, as only they can cross a range's edge
 * (a few in a hundred: found among them, not among all the range's sessions). The sink runs
 * all of these on a store when it first writes to it (`prepareLocalStore`), so a store from
 * before gains what is new (and loses what is not) on its next write.
 */
export const LOCAL_STORE_SQL = [
  LOCAL_TABLE_SQL,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_TABLE}_fold ON ${LOCAL_TABLE} (index1, timestamp, ${FOLDED_COLUMNS.join(", ")})`,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_TABLE}_channel ON ${LOCAL_TABLE} (blob8, timestamp)`,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_TABLE}_session ON ${LOCAL_TABLE} (index1, blob2, timestamp)`,
  `CREATE TABLE IF NOT EXISTS ${LOCAL_ROLLUP} (
  index1 TEXT NOT NULL,
  channel TEXT NOT NULL,
  t_hour INTEGER NOT NULL,
  session TEXT NOT NULL,
  source TEXT NOT NULL,
  region TEXT NOT NULL,
  device TEXT NOT NULL,
  starts_w INTEGER NOT NULL,
  heartbeats_w INTEGER NOT NULL,
  rebuffer_w REAL NOT NULL,
  furthest REAL NOT NULL,
  length_s REAL NOT NULL,
  errored_any INTEGER NOT NULL,
  timed_w INTEGER NOT NULL,
  startup_bucket INTEGER NOT NULL,
  w INTEGER NOT NULL,
  PRIMARY KEY (index1, t_hour, session, source, region, device, channel)
) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_ROLLUP}_session ON ${LOCAL_ROLLUP} (index1, session, t_hour)`,
  totalsTableSql(LOCAL_HOURS, "t_hour"),
  `CREATE INDEX IF NOT EXISTS ${LOCAL_HOURS}_hour ON ${LOCAL_HOURS} (index1, t_hour)`,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_HOURS}_channel ON ${LOCAL_HOURS} (channel, dim, t_hour)`,
  totalsTableSql(LOCAL_DAYS, "t_day"),
  `CREATE INDEX IF NOT EXISTS ${LOCAL_DAYS}_channel ON ${LOCAL_DAYS} (channel, dim, t_day)`,
  `CREATE TABLE IF NOT EXISTS ${LOCAL_SESSIONS} (
  index1 TEXT NOT NULL,
  session TEXT NOT NULL,
  channel TEXT NOT NULL,
  first_hour INTEGER NOT NULL,
  last_hour INTEGER NOT NULL,
  reached REAL NOT NULL,
  video_length REAL NOT NULL,
  started INTEGER NOT NULL,
  had_error INTEGER NOT NULL,
  weight INTEGER NOT NULL,
  PRIMARY KEY (index1, last_hour, session),
  UNIQUE (index1, session)
) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_SESSIONS}_channel ON ${LOCAL_SESSIONS} (channel, last_hour)`,
  `CREATE TABLE IF NOT EXISTS ${LOCAL_SESSION_DAYS} (
  index1 TEXT NOT NULL,
  channel TEXT NOT NULL,
  t_day INTEGER NOT NULL,
  started INTEGER NOT NULL,
  counted INTEGER NOT NULL,
  had_error INTEGER NOT NULL,
  pct INTEGER NOT NULL,
  n INTEGER NOT NULL,
  weight INTEGER NOT NULL,
  PRIMARY KEY (index1, t_day, started, counted, had_error, pct)
) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_SESSION_DAYS}_channel ON ${LOCAL_SESSION_DAYS} (channel, t_day)`,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_SESSION_DAYS}_empty ON ${LOCAL_SESSION_DAYS} (index1) WHERE n = 0`,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_SESSIONS}_spanning ON ${LOCAL_SESSIONS} (index1, last_hour, first_hour)
     WHERE first_hour < last_hour`,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_SESSIONS}_channel_spanning ON ${LOCAL_SESSIONS} (channel, last_hour, first_hour)
     WHERE first_hour < last_hour`,
  // The video's index before the covering one above, of which it is the first two columns.
  `DROP INDEX IF EXISTS ${LOCAL_TABLE}_video`,
];

/** SQLite's spelling of the events' SQL: `timestamp` is `YYYY-MM-DD HH:MM:SS` UTC text. */
export const SQLITE_EVENTS: EventDialect = {
  table: LOCAL_TABLE,
  hour: "(CAST(strftime('%s', timestamp) AS INTEGER) / 3600) * 3600",
  time: (s) => `'${new Date(s * 1000).toISOString().slice(0, 19).replace("T", " ")}'`,
  whole: (expr) => `CAST(${expr} AS INTEGER)`,
};

const sqliteFloor = (expr: string, s: number) => (s === 3600 ? expr : `(${expr} / ${s}) * ${s}`);

/**
 * The events folded at read time, as Analytics Engine does: the reference the store must
 * equal (tests), and the baseline it is measured against (`npm run bench:analytics`).
 */
export const SQLITE_FOLDING = foldingDialect(SQLITE_EVENTS, sqliteFloor);

/** A range's bounds in seconds, and its whole hours [firstHour, lastHour) (none when firstHour >= lastHour). */
function hoursOf(p: Params) {
  const from = seconds(p.from);
  const to = seconds(p.to);
  return { from, to, firstHour: Math.ceil(from / 3600) * 3600, lastHour: Math.floor(to / 3600) * 3600 };
}

/**
 * The scope's events in [a, b) seconds, a partial hour at a range's end, folded: a subquery.
 * Every event of it is in the hour [a, b) starts in, so that hour is a constant rather than
 * worked out from each event's `timestamp`.
 */
const foldedEnd = (p: Params, a: number, b: number) =>
  foldedEvents({ ...SQLITE_EVENTS, hour: String(Math.floor(a / 3600) * 3600) }, p, a, b);

/** The scope as a condition on a derived table (which names the channel `channel`), with an optional table alias. */
const derivedScope = (p: Params, alias = "") =>
  p.videoId !== undefined ? `${alias}index1 = '${p.videoId}'` : `${alias}channel = '${p.channelId}'`;

/**
 * What of [from, to) lies outside [a, b), as [x, y) pairs in seconds: a range's partial hours
 * at its ends around its whole hours, or the whole hours around its whole days.
 */
function edges(from: number, to: number, a: number, b: number): [number, number][] {
  return [...(from < a ? [[from, a] as [number, number]] : []), ...(b < to ? [[b, to] as [number, number]] : [])];
}

/**
 * The local store's reads. `totals`: the whole days from `playback_days`, the other whole hours
 * from `playback_hours`, the partial ends folded from the events. `sessions`: those whose
 * hours all lie in one of the whole days as `playback_session_days` counts them, the others
 * whose hours all lie in the whole hours as `playback_sessions` has them; those that cross into
 * or out of the range (or lie in a partial end) summed again from their roll-up rows in the
 * whole hours and their events in the ends. A range within one hour is all events.
 */
export const SQLITE: Dialect = {
  totals(p, by) {
    const { from, to, firstHour, lastHour } = hoursOf(p);
    if (firstHour >= lastHour) return SQLITE_FOLDING.totals(p, by);
    // The whole days among the whole hours are a row a day and key rather than 24 (the startup
    // buckets: 30,000 rows for 28 days at a million events, against 3,000). A template reads the
    // hour only to bucket `all` by the range's granularity, so only that stays hourly for an
    // hourly range.
    const firstDay = Math.ceil(firstHour / DAY) * DAY;
    const lastDay = Math.floor(lastHour / DAY) * DAY;
    const days = (p.granularity === "day" || by !== "all") && firstDay < lastDay;
    const stored = (table: string, t: string, a: number, b: number) =>
      `SELECT index1, ${t} AS t_hour, k, n_starts, n_heartbeats, rebuffer_sum, n_timed, weight FROM ${table}
       WHERE ${derivedScope(p)} AND dim = '${by}' AND ${t} >= ${a} AND ${t} < ${b}`;
    const hours: [number, number][] = days ? edges(firstHour, lastHour, firstDay, lastDay) : [[firstHour, lastHour]];
    const parts = [
      ...(days ? [stored(LOCAL_DAYS, "t_day", firstDay, lastDay)] : []),
      ...hours.map(([a, b]) => stored(LOCAL_HOURS, "t_hour", a, b)),
      ...edges(from, to, firstHour, lastHour).map(([a, b]) => totalsOf(foldedEnd(p, a, b), by)),
    ];
    return `(${parts.join("\n   UNION ALL ")})`;
  },
  sessions(p) {
    const { from, to, firstHour, lastHour } = hoursOf(p);
    if (firstHour >= lastHour) return SQLITE_FOLDING.sessions(p);
    // The sessions of one whole day each come counted by their figures, a row per day and
    // figure rather than per session (40,817 sessions in 28 days at a million events, against
    // 3,000 rows; `reach` groups them by percent). Those of the whole hours around the whole
    // days, and those that span days, come as they are.
    const firstDay = Math.ceil(firstHour / DAY) * DAY;
    const lastDay = Math.floor(lastHour / DAY) * DAY;
    const days = firstDay < lastDay;
    const hours: [number, number][] = days ? edges(firstHour, lastHour, firstDay, lastDay) : [[firstHour, lastHour]];
    const stored = (where: string, index = "") =>
      `SELECT index1, session, reached, video_length, started, had_error, weight FROM ${LOCAL_SESSIONS} ${index}
       WHERE ${derivedScope(p)} AND first_hour >= ${firstHour} AND ${where}`;
    const inside = [
      ...hours.map(([a, b]) => stored(`last_hour >= ${a} AND last_hour < ${b}`)),
      ...(days
        ? [
            // As a session: its percent as how far it got, of a video of 100, is the same percent.
            `SELECT index1, NULL AS session, pct AS reached, 100 * counted AS video_length, started, had_error, weight
             FROM ${LOCAL_SESSION_DAYS}
             WHERE ${derivedScope(p)} AND t_day >= ${firstDay} AND t_day < ${lastDay} AND n > 0`,
            // Left to itself, SQLite read every session of the days for these few.
            stored(
              `first_hour < last_hour AND last_hour >= ${firstDay} AND last_hour < ${lastDay}
               AND first_hour < (last_hour / ${DAY}) * ${DAY}`,
              `INDEXED BY ${LOCAL_SESSIONS}_${p.videoId !== undefined ? "" : "channel_"}spanning`,
            ),
          ]
        : []),
    ].join("\n   UNION ALL ");
    // CROSS JOIN and INDEXED BY keep SQLite's join this way round: the few crossing sessions
    // first, then each one's roll-up rows by session. Left to itself it read every roll-up row of
    // the range for each crossing session (30 ms at a million events, against 4). Only a session
    // of two hours or more can cross an edge (edges are whole hours), so they are looked for
    // among those (`first_hour < last_hour`: the spanning sessions' index) rather than among all
    // the range's sessions (5 ms at a million events, for each of `reach` and `sessions`).
    const crossing = `SELECT r.index1, r.session, r.furthest, r.length_s, r.starts_w, r.errored_any, r.w
       FROM ${LOCAL_SESSIONS} AS b CROSS JOIN ${LOCAL_ROLLUP} AS r INDEXED BY ${LOCAL_ROLLUP}_session
         ON r.index1 = b.index1 AND r.session = b.session AND r.t_hour >= ${firstHour} AND r.t_hour < ${lastHour}
       WHERE ${derivedScope(p, "b.")} AND b.first_hour < b.last_hour
         AND b.last_hour >= ${firstHour} AND b.first_hour < ${lastHour}
         AND (b.first_hour < ${firstHour} OR b.last_hour >= ${lastHour})`;
    const ends = edges(from, to, firstHour, lastHour).map(
      ([a, b]) => `SELECT index1, session, furthest, length_s, starts_w, errored_any, w FROM ${foldedEnd(p, a, b)}`,
    );
    return `(${inside}\n   UNION ALL ${sessionsOf(`(${[crossing, ...ends].join("\n   UNION ALL ")})`)})`;
  },
  floor: sqliteFloor,
  whole: SQLITE_EVENTS.whole,
};

const INSERT = `INSERT INTO ${LOCAL_TABLE} (timestamp, index1, ${[...blobColumns, ...doubleColumns].join(", ")}, _sample_interval)
  VALUES (${Array.from({ length: 2 + blobColumns.length + doubleColumns.length }, (_, i) => `?${i + 1}`).join(", ")}, 1)`;

/** The roll-up rows picked by `where` summed per video, hour and each key kind: `playback_hours` rows. */
const hoursFromRollup = (where: string) =>
  TOTALS_BY.map(
    (by: TotalsBy) =>
      `SELECT index1, MAX(channel), t_hour, '${by}', ${TOTALS_KEY[by]},
         SUM(starts_w), SUM(heartbeats_w), SUM(rebuffer_w), SUM(timed_w), MAX(w)
       FROM ${LOCAL_ROLLUP} WHERE ${where} GROUP BY index1, t_hour${by === "all" ? "" : `, ${TOTALS_KEY[by]}`}`,
  ).join("\n UNION ALL ");

/** The hour rows picked by `where` summed per video, day, key kind and key: `playback_days` rows. */
const daysFromHours = (where: string) =>
  `SELECT index1, MAX(channel), (t_hour / ${DAY}) * ${DAY} AS t_day, dim, k,
     SUM(n_starts), SUM(n_heartbeats), SUM(rebuffer_sum), SUM(n_timed), MAX(weight)
   FROM ${LOCAL_HOURS} WHERE ${where} GROUP BY index1, t_day, dim, k`;

const SESSION_DAYS_KEY = "index1, t_day, started, counted, had_error, pct";

/**
 * The sessions picked by `where` whose hours all lie in one day, with that day and their
 * figures as `playback_session_days` counts them: whether the video's length was known, and
 * `reach`'s whole percent (0 for a session `reach` does not count).
 */
const sessionDays = (where: string) =>
  `SELECT index1, channel, (last_hour / ${DAY}) * ${DAY} AS t_day, started, video_length > 0 AS counted, had_error,
     CASE WHEN started = 1 AND video_length > 0 THEN ${SQLITE_EVENTS.whole("100 * reached / video_length")} ELSE 0 END AS pct,
     weight
   FROM ${LOCAL_SESSIONS} WHERE ${where} AND first_hour >= (last_hour / ${DAY}) * ${DAY}`;

/** The roll-up rows picked by `where` per session: `playback_sessions` rows. */
const sessionsFromRollup = (where: string) =>
  `SELECT index1, session, MAX(channel), MIN(t_hour), MAX(t_hour), MAX(furthest), MAX(length_s),
     MAX(starts_w > 0), MAX(errored_any), MAX(w)
   FROM ${LOCAL_ROLLUP} WHERE ${where} GROUP BY index1, session`;

/**
 * What one write changes beyond its events: a session's roll-up rows of one hour, that session
 * (taken out of its day's count before, put back after), its video's hour and day.
 */
const refoldSql = (hour: number, day = Math.floor(hour / DAY) * DAY) => ({
  rollup: `INSERT OR REPLACE INTO ${LOCAL_ROLLUP} (${FOLD_COLUMNS.join(", ")})
   ${fold(SQLITE_EVENTS, `index1 = ?1 AND blob2 = ?2 AND timestamp >= ${SQLITE_EVENTS.time(hour)} AND timestamp < ${SQLITE_EVENTS.time(hour + 3600)}`)}`,
  uncount: `UPDATE ${LOCAL_SESSION_DAYS} AS d SET n = d.n - 1, weight = d.weight - s.weight
   FROM (${sessionDays("index1 = ?1 AND session = ?2")}) AS s
   WHERE ${SESSION_DAYS_KEY.split(", ")
     .map((c) => `d.${c} = s.${c}`)
     .join(" AND ")}`,
  // (`WHERE 1`: before an upsert's ON CONFLICT, SQLite needs the SELECT to have a WHERE, or it reads ON as a join's.)
  count: `INSERT INTO ${LOCAL_SESSION_DAYS} (${SESSION_DAYS_COLUMNS.join(", ")})
   SELECT index1, channel, t_day, started, counted, had_error, pct, 1, weight
   FROM (${sessionDays("index1 = ?1 AND session = ?2")}) WHERE 1
   ON CONFLICT (${SESSION_DAYS_KEY}) DO UPDATE SET n = n + excluded.n, weight = weight + excluded.weight`,
  // A count a session left empty would be a percent of no sessions.
  pruneCounts: `DELETE FROM ${LOCAL_SESSION_DAYS} WHERE index1 = ?1 AND n = 0`,
  session: `INSERT OR REPLACE INTO ${LOCAL_SESSIONS} (${SESSION_COLUMNS.join(", ")})
   ${sessionsFromRollup("index1 = ?1 AND session = ?2")}`,
  // A key of the hour can change (a later start moves a session's startup bucket), so the
  // video's hour is replaced whole.
  clearHour: `DELETE FROM ${LOCAL_HOURS} WHERE index1 = ?1 AND t_hour = ${hour}`,
  hour: `INSERT INTO ${LOCAL_HOURS} (${HOURS_COLUMNS.join(", ")})
   ${hoursFromRollup(`index1 = ?1 AND t_hour = ${hour}`)}`,
  clearDay: `DELETE FROM ${LOCAL_DAYS} WHERE index1 = ?1 AND t_day = ${day}`,
  day: `INSERT INTO ${LOCAL_DAYS} (${DAYS_COLUMNS.join(", ")})
   ${daysFromHours(`index1 = ?1 AND t_hour >= ${day} AND t_hour < ${day + DAY}`)}`,
});

/**
 * The derived tables made again from every event: the backfill for events written before they
 * existed (or by hand), in one transaction, and safe to run again.
 */
export async function rebuildRollup(db: D1Database): Promise<void> {
  await db.batch([
    db.prepare(`DELETE FROM ${LOCAL_ROLLUP}`),
    db.prepare(`DELETE FROM ${LOCAL_HOURS}`),
    db.prepare(`DELETE FROM ${LOCAL_SESSIONS}`),
    db.prepare(`DELETE FROM ${LOCAL_DAYS}`),
    db.prepare(`DELETE FROM ${LOCAL_SESSION_DAYS}`),
    db.prepare(`INSERT INTO ${LOCAL_ROLLUP} (${FOLD_COLUMNS.join(", ")}) ${fold(SQLITE_EVENTS, "1 = 1")}`),
    db.prepare(`INSERT INTO ${LOCAL_HOURS} (${HOURS_COLUMNS.join(", ")}) ${hoursFromRollup("1 = 1")}`),
    db.prepare(`INSERT INTO ${LOCAL_SESSIONS} (${SESSION_COLUMNS.join(", ")}) ${sessionsFromRollup("1 = 1")}`),
    db.prepare(`INSERT INTO ${LOCAL_DAYS} (${DAYS_COLUMNS.join(", ")}) ${daysFromHours("1 = 1")}`),
    db.prepare(
      `INSERT INTO ${LOCAL_SESSION_DAYS} (${SESSION_DAYS_COLUMNS.join(", ")})
       SELECT index1, MAX(channel), t_day, started, counted, had_error, pct, COUNT(*), SUM(weight)
       FROM (${sessionDays("1 = 1")}) GROUP BY ${SESSION_DAYS_KEY}`,
    ),
  ]);
}

/**
 * Creates what is missing of the store; when the events' table was there and a derived table
 * was not (a store from before it), folds the events into them all.
 */
export async function prepareLocalStore(db: D1Database): Promise<void> {
  const derived = [LOCAL_ROLLUP, LOCAL_HOURS, LOCAL_SESSIONS, LOCAL_DAYS, LOCAL_SESSION_DAYS];
  const { results } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?1, ?2, ?3, ?4, ?5, ?6)")
    .bind(LOCAL_TABLE, ...derived)
    .all<{ name: string }>();
  const had = new Set(results.map((r) => r.name));
  await db.batch(LOCAL_STORE_SQL.map((sql) => db.prepare(sql)));
  if (had.has(LOCAL_TABLE) && derived.some((t) => !had.has(t))) await rebuildRollup(db);
}

/**
 * The local sink: the same data points as rows of the events' table, unsampled
 * (`_sample_interval` = 1), and what they change of the derived tables (each session's roll-up
 * rows of this hour, the session, its video's hour), in one transaction: a write is in all of
 * them or in none. `timestamp` is the write's time, as Analytics Engine stamps its own, in the
 * `YYYY-MM-DD HH:MM:SS` form its SQL API answers.
 */
export function localSink(db: D1Database, now: () => number = Date.now): AnalyticsSink {
  let ready: Promise<void> | undefined;
  return {
    async write(events) {
      bounded(events);
      if (!events.length) return;
      const points = events.map(toDataPoint);
      ready ??= prepareLocalStore(db);
      await ready;
      const at = Math.floor(now() / 1000);
      const timestamp = SQLITE_EVENTS.time(at).slice(1, -1);
      const insert = db.prepare(INSERT);
      const sql = refoldSql(Math.floor(at / 3600) * 3600);
      const rollup = db.prepare(sql.rollup);
      const session = db.prepare(sql.session);
      const uncount = db.prepare(sql.uncount);
      const count = db.prepare(sql.count);
      const pruneCounts = db.prepare(sql.pruneCounts);
      const clearHour = db.prepare(sql.clearHour);
      const hour = db.prepare(sql.hour);
      const clearDay = db.prepare(sql.clearDay);
      const day = db.prepare(sql.day);
      const sessions = new Map(events.map((e: PlaybackEvent) => [`${e.videoId}\n${e.sessionId}`, e]));
      const videos = new Set(events.map((e) => e.videoId));
      await db.batch([
        ...points.map((p) => insert.bind(timestamp, p.indexes[0], ...p.blobs, ...p.doubles)),
        ...[...sessions.values()].flatMap((e) => [
          rollup.bind(e.videoId, e.sessionId),
          uncount.bind(e.videoId, e.sessionId),
          session.bind(e.videoId, e.sessionId),
          count.bind(e.videoId, e.sessionId),
        ]),
        ...[...videos].flatMap((v) => [
          clearHour.bind(v),
          hour.bind(v),
          clearDay.bind(v),
          day.bind(v),
          pruneCounts.bind(v),
        ]),
      ]);
    },
  };
}

/**
 * The local store's runner: a template in `dialect` (the store's, `SQLITE`, unless a test or
 * benchmark asks for the events folded at read time), on the `ANALYTICS_LOCAL` database.
 * Before the store exists, it is made (and a store from before its derived tables folded) once;
 * so is a store from before an index a read names.
 */
export function localQuery(db: D1Database, dialect: Dialect = SQLITE): AnalyticsQuery {
  const all = async (sql: string) => (await db.prepare(sql).all()).results;
  return {
    async run(name, params) {
      const sql = templateSql(name, dialect, params);
      try {
        return (await all(sql)) as never;
      } catch (err) {
        if (!/no such (table|index)/.test(String(err))) throw err;
        await prepareLocalStore(db);
        return (await all(sql)) as never;
      }
    },
  };
}
