/**
 * The local analytics store (`ANALYTICS = "local"`: `npm start` and the tests), in the
 * `ANALYTICS_LOCAL` D1 database. Four tables, all but the first kept in step with every write,
 * in its own transaction:
 *
 * - `playback_events`: every event as the data point Analytics Engine would keep (its column
 *   names, `_sample_interval = 1`), so the production templates' SQL runs on it unchanged.
 * - `playback_rollup`: those events folded to one row per video, hour, session and audience
 *   (`fold()` of analytics-query.ts).
 * - `playback_hours`: the roll-up summed per video, hour and key (`totalsOf()`: all, each
 *   audience column, the startup bucket), what every template but the per-session ones reads.
 * - `playback_sessions`: the roll-up per session (`sessionsOf()`), with its first and last hour.
 *
 * Why: SQLite scans about a million rows a second per template, so a video with a million
 * events took 2.7 s to answer (Analytics Engine's column store does not need this). Every
 * template is sums and maxima, so the tables answer exactly what the events would. A read
 * takes the range's whole hours from them and folds only the partial hours at its ends from the
 * events (`SQLITE`); the sessions wholly inside the whole hours come from `playback_sessions`
 * as they are, and those that cross the range's edges are summed again from their roll-up rows
 * in range.
 */
import { type AnalyticsSink, BLOBS, bounded, DOUBLES, type PlaybackEvent, toDataPoint } from "./analytics";
import {
  type AnalyticsQuery,
  type Dialect,
  type EventDialect,
  FOLD_COLUMNS,
  fold,
  foldedEvents as foldedEventsOf,
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
 * The store's tables and indexes. The derived tables are clustered as they are read: the
 * roll-up by video and hour, the hours by video, key kind and hour, the sessions by video and
 * last hour (a range's sessions are those whose last hour is in it, or after it and crossing
 * in); `k` has no type, so a startup bucket stays a number and an audience value text.
 */
export const LOCAL_STORE_SQL = [
  LOCAL_TABLE_SQL,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_TABLE}_video ON ${LOCAL_TABLE} (index1, timestamp)`,
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
  `CREATE TABLE IF NOT EXISTS ${LOCAL_HOURS} (
  index1 TEXT NOT NULL,
  channel TEXT NOT NULL,
  t_hour INTEGER NOT NULL,
  dim TEXT NOT NULL,
  k NOT NULL,
  n_starts INTEGER NOT NULL,
  n_heartbeats INTEGER NOT NULL,
  rebuffer_sum REAL NOT NULL,
  n_timed INTEGER NOT NULL,
  weight INTEGER NOT NULL,
  PRIMARY KEY (index1, dim, t_hour, k)
) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_HOURS}_hour ON ${LOCAL_HOURS} (index1, t_hour)`,
  `CREATE INDEX IF NOT EXISTS ${LOCAL_HOURS}_channel ON ${LOCAL_HOURS} (channel, dim, t_hour)`,
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

/** The scope's events in [a, b) seconds, folded: a subquery. */
const foldedEvents = (p: Params, a: number, b: number) => foldedEventsOf(SQLITE_EVENTS, p, a, b);

/** The scope as a condition on a derived table (which names the channel `channel`), with an optional table alias. */
const derivedScope = (p: Params, alias = "") =>
  p.videoId !== undefined ? `${alias}index1 = '${p.videoId}'` : `${alias}channel = '${p.channelId}'`;

/** The partial hours at a range's ends, as [a, b) pairs in seconds. */
function edges(from: number, to: number, firstHour: number, lastHour: number): [number, number][] {
  return [
    ...(from < firstHour ? [[from, firstHour] as [number, number]] : []),
    ...(lastHour < to ? [[lastHour, to] as [number, number]] : []),
  ];
}

/**
 * The local store's reads. `totals`: the whole hours from `playback_hours`, the partial ends
 * folded from the events. `sessions`: those whose hours all lie in the whole hours as
 * `playback_sessions` has them; those that cross into or out of the range (or lie in a partial
 * end) summed again from their roll-up rows in the whole hours and their events in the ends.
 * A range within one hour is all events.
 */
export const SQLITE: Dialect = {
  totals(p, by) {
    const { from, to, firstHour, lastHour } = hoursOf(p);
    if (firstHour >= lastHour) return SQLITE_FOLDING.totals(p, by);
    const parts = [
      `SELECT index1, t_hour, k, n_starts, n_heartbeats, rebuffer_sum, n_timed, weight FROM ${LOCAL_HOURS}
       WHERE ${derivedScope(p)} AND dim = '${by}' AND t_hour >= ${firstHour} AND t_hour < ${lastHour}`,
      ...edges(from, to, firstHour, lastHour).map(([a, b]) => totalsOf(foldedEvents(p, a, b), by)),
    ];
    return `(${parts.join("\n   UNION ALL ")})`;
  },
  sessions(p) {
    const { from, to, firstHour, lastHour } = hoursOf(p);
    if (firstHour >= lastHour) return SQLITE_FOLDING.sessions(p);
    const inside = `SELECT index1, session, reached, video_length, started, had_error, weight FROM ${LOCAL_SESSIONS}
       WHERE ${derivedScope(p)} AND last_hour >= ${firstHour} AND last_hour < ${lastHour} AND first_hour >= ${firstHour}`;
    // CROSS JOIN and INDEXED BY keep SQLite's join this way round: the few crossing sessions
    // first, then each one's roll-up rows by session. Left to itself it read every roll-up row of
    // the range for each crossing session (30 ms at a million events, against 4).
    const crossing = `SELECT r.index1, r.session, r.furthest, r.length_s, r.starts_w, r.errored_any, r.w
       FROM ${LOCAL_SESSIONS} AS b CROSS JOIN ${LOCAL_ROLLUP} AS r INDEXED BY ${LOCAL_ROLLUP}_session
         ON r.index1 = b.index1 AND r.session = b.session AND r.t_hour >= ${firstHour} AND r.t_hour < ${lastHour}
       WHERE ${derivedScope(p, "b.")} AND b.last_hour >= ${firstHour} AND b.first_hour < ${lastHour}
         AND (b.first_hour < ${firstHour} OR b.last_hour >= ${lastHour})`;
    const ends = edges(from, to, firstHour, lastHour).map(
      ([a, b]) => `SELECT index1, session, furthest, length_s, starts_w, errored_any, w FROM ${foldedEvents(p, a, b)}`,
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

/** The roll-up rows picked by `where` per session: `playback_sessions` rows. */
const sessionsFromRollup = (where: string) =>
  `SELECT index1, session, MAX(channel), MIN(t_hour), MAX(t_hour), MAX(furthest), MAX(length_s),
     MAX(starts_w > 0), MAX(errored_any), MAX(w)
   FROM ${LOCAL_ROLLUP} WHERE ${where} GROUP BY index1, session`;

/** What one write changes beyond its events: a session's roll-up rows of one hour, that session, and its video's hour. */
const refoldSql = (hour: number) => ({
  rollup: `INSERT OR REPLACE INTO ${LOCAL_ROLLUP} (${FOLD_COLUMNS.join(", ")})
   ${fold(SQLITE_EVENTS, `index1 = ?1 AND blob2 = ?2 AND timestamp >= ${SQLITE_EVENTS.time(hour)} AND timestamp < ${SQLITE_EVENTS.time(hour + 3600)}`)}`,
  session: `INSERT OR REPLACE INTO ${LOCAL_SESSIONS} (${SESSION_COLUMNS.join(", ")})
   ${sessionsFromRollup("index1 = ?1 AND session = ?2")}`,
  // A key of the hour can change (a later start moves a session's startup bucket), so the
  // video's hour is replaced whole.
  clearHour: `DELETE FROM ${LOCAL_HOURS} WHERE index1 = ?1 AND t_hour = ${hour}`,
  hour: `INSERT INTO ${LOCAL_HOURS} (${HOURS_COLUMNS.join(", ")})
   ${hoursFromRollup(`index1 = ?1 AND t_hour = ${hour}`)}`,
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
    db.prepare(`INSERT INTO ${LOCAL_ROLLUP} (${FOLD_COLUMNS.join(", ")}) ${fold(SQLITE_EVENTS, "1 = 1")}`),
    db.prepare(`INSERT INTO ${LOCAL_HOURS} (${HOURS_COLUMNS.join(", ")}) ${hoursFromRollup("1 = 1")}`),
    db.prepare(`INSERT INTO ${LOCAL_SESSIONS} (${SESSION_COLUMNS.join(", ")}) ${sessionsFromRollup("1 = 1")}`),
  ]);
}

/**
 * Creates what is missing of the store; when the events' table was there and a derived table
 * was not (a store from before it), folds the events into them all.
 */
export async function prepareLocalStore(db: D1Database): Promise<void> {
  const derived = [LOCAL_ROLLUP, LOCAL_HOURS, LOCAL_SESSIONS];
  const { results } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?1, ?2, ?3, ?4)")
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
      const clearHour = db.prepare(sql.clearHour);
      const hour = db.prepare(sql.hour);
      const sessions = new Map(events.map((e: PlaybackEvent) => [`${e.videoId}\n${e.sessionId}`, e]));
      const videos = new Set(events.map((e) => e.videoId));
      await db.batch([
        ...points.map((p) => insert.bind(timestamp, p.indexes[0], ...p.blobs, ...p.doubles)),
        ...[...sessions.values()].flatMap((e) => [
          rollup.bind(e.videoId, e.sessionId),
          session.bind(e.videoId, e.sessionId),
        ]),
        ...[...videos].flatMap((v) => [clearHour.bind(v), hour.bind(v)]),
      ]);
    },
  };
}

/**
 * The local store's runner: a template in `dialect` (the store's, `SQLITE`, unless a test or
 * benchmark asks for the events folded at read time), on the `ANALYTICS_LOCAL` database.
 * Before the store exists, it is made (and a store from before its derived tables folded) once.
 */
export function localQuery(db: D1Database, dialect: Dialect = SQLITE): AnalyticsQuery {
  const all = async (sql: string) => (await db.prepare(sql).all()).results;
  return {
    async run(name, params) {
      const sql = templateSql(name, dialect, params);
      try {
        return (await all(sql)) as never;
      } catch (err) {
        if (!/no such table/.test(String(err))) throw err;
        await prepareLocalStore(db);
        return (await all(sql)) as never;
      }
    },
  };
}
