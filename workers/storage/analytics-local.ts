/**
 * The local analytics store (`ANALYTICS = "local"`: `npm start` and the tests), in the
 * `ANALYTICS_LOCAL` D1 database. Two tables:
 *
 * - `playback_events`: every event as the data point Analytics Engine would keep (its column
 *   names, `_sample_interval = 1`), so the production templates' SQL runs on it unchanged.
 * - `playback_rollup`: those events folded to one row per video, hour, session and audience
 *   (`fold()` of analytics-query.ts), kept in step on every write, in the same transaction.
 *
 * Why the roll-up: SQLite scans about a million rows a second per template, so a video with a
 * million events took 2.7 s to answer (Analytics Engine's column store does not need it). Its
 * rows are about 30 times fewer than the events, and every template is sums and maxima over
 * them, so reading whole hours from it answers exactly what the events would; the partial
 * hours at a range's ends are folded from the events at read time (`SQLITE`).
 */
import { type AnalyticsSink, BLOBS, bounded, DOUBLES, type PlaybackEvent, toDataPoint } from "./analytics";
import {
  type AnalyticsQuery,
  type Dialect,
  type EventDialect,
  eventScope,
  FOLD_COLUMNS,
  fold,
  foldingDialect,
  seconds,
  templateSql,
} from "./analytics-query";

/** The events' table: Analytics Engine's column names, so a template's SQL runs unchanged. */
export const LOCAL_TABLE = "playback_events";
/** The roll-up of the events: `fold()`'s rows, one per video, hour, session and audience. */
export const LOCAL_ROLLUP = "playback_rollup";

const blobColumns = BLOBS.map((_, i) => `blob${i + 1}`);
const doubleColumns = DOUBLES.map((_, i) => `double${i + 1}`);
export const LOCAL_TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${LOCAL_TABLE} (
  timestamp TEXT NOT NULL,
  index1 TEXT NOT NULL,
  ${blobColumns.map((c) => `${c} TEXT NOT NULL`).join(",\n  ")},
  ${doubleColumns.map((c) => `${c} REAL NOT NULL`).join(",\n  ")},
  _sample_interval INTEGER NOT NULL DEFAULT 1
)`;

/**
 * The rest of the store: the roll-up, clustered by video and hour (a video's range is one
 * contiguous read), and the indexes that find a scope's partial hours of events (by video or
 * channel, then time) and one session's events in an hour (the roll-up's refold on write).
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
  `CREATE INDEX IF NOT EXISTS ${LOCAL_ROLLUP}_channel ON ${LOCAL_ROLLUP} (channel, t_hour)`,
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
 * The local store's reads: the range's whole hours from the roll-up, and the partial hours at
 * either end folded from the events (a range within one hour is all events).
 */
export const SQLITE: Dialect = {
  rows(p, columns) {
    const from = seconds(p.from);
    const to = seconds(p.to);
    const firstHour = Math.ceil(from / 3600) * 3600;
    const lastHour = Math.floor(to / 3600) * 3600;
    // Only the columns the template reads: SQLite carries every column of a UNION ALL's rows.
    const read = [...new Set(columns)].join(", ");
    const events = (a: number, b: number) =>
      `SELECT ${read} FROM (${fold(SQLITE_EVENTS, `${eventScope(p)} AND timestamp >= ${SQLITE_EVENTS.time(a)} AND timestamp < ${SQLITE_EVENTS.time(b)}`)})`;
    if (firstHour >= lastHour) return `(${events(from, to)})`;
    const scope = p.videoId !== undefined ? `index1 = '${p.videoId}'` : `channel = '${p.channelId}'`;
    const parts = [
      `SELECT ${read} FROM ${LOCAL_ROLLUP} WHERE ${scope} AND t_hour >= ${firstHour} AND t_hour < ${lastHour}`,
    ];
    if (from < firstHour) parts.push(events(from, firstHour));
    if (lastHour < to) parts.push(events(lastHour, to));
    return `(${parts.join("\n   UNION ALL ")})`;
  },
  floor: sqliteFloor,
  whole: SQLITE_EVENTS.whole,
};

/**
 * The events folded at read time, as Analytics Engine does: the reference the roll-up must
 * equal (tests), and the baseline it is measured against (`npm run bench:analytics`).
 */
export const SQLITE_FOLDING = foldingDialect(SQLITE_EVENTS, sqliteFloor);

const INSERT = `INSERT INTO ${LOCAL_TABLE} (timestamp, index1, ${[...blobColumns, ...doubleColumns].join(", ")}, _sample_interval)
  VALUES (${Array.from({ length: 2 + blobColumns.length + doubleColumns.length }, (_, i) => `?${i + 1}`).join(", ")}, 1)`;

/** One session's roll-up rows of one hour, folded again from its events (replacing what they were). */
const refoldSql = (hour: number) =>
  `INSERT OR REPLACE INTO ${LOCAL_ROLLUP} (${FOLD_COLUMNS.join(", ")})
   ${fold(SQLITE_EVENTS, `index1 = ?1 AND blob2 = ?2 AND timestamp >= ${SQLITE_EVENTS.time(hour)} AND timestamp < ${SQLITE_EVENTS.time(hour + 3600)}`)}`;

/**
 * The roll-up made again from every event: the backfill for events written before it existed
 * (or by hand), in one transaction, and safe to run again.
 */
export async function rebuildRollup(db: D1Database): Promise<void> {
  await db.batch([
    db.prepare(`DELETE FROM ${LOCAL_ROLLUP}`),
    db.prepare(`INSERT INTO ${LOCAL_ROLLUP} (${FOLD_COLUMNS.join(", ")}) ${fold(SQLITE_EVENTS, "1 = 1")}`),
  ]);
}

/**
 * Creates what is missing of the store; when the events' table was there and the roll-up was
 * not (a store from before it), folds the events into it.
 */
export async function prepareLocalStore(db: D1Database): Promise<void> {
  const { results } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?1, ?2)")
    .bind(LOCAL_TABLE, LOCAL_ROLLUP)
    .all<{ name: string }>();
  const had = new Set(results.map((r) => r.name));
  await db.batch(LOCAL_STORE_SQL.map((sql) => db.prepare(sql)));
  if (had.has(LOCAL_TABLE) && !had.has(LOCAL_ROLLUP)) await rebuildRollup(db);
}

/**
 * The local sink: the same data points as rows of the events' table, unsampled
 * (`_sample_interval` = 1), and each session's roll-up rows of this hour folded again, in one
 * transaction (a write is in both or in neither). `timestamp` is the write's time, as Analytics
 * Engine stamps its own, in the `YYYY-MM-DD HH:MM:SS` form its SQL API answers.
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
      const refold = db.prepare(refoldSql(Math.floor(at / 3600) * 3600));
      const sessions = new Map(events.map((e: PlaybackEvent) => [`${e.videoId}\n${e.sessionId}`, e]));
      await db.batch([
        ...points.map((p) => insert.bind(timestamp, p.indexes[0], ...p.blobs, ...p.doubles)),
        ...[...sessions.values()].map((e) => refold.bind(e.videoId, e.sessionId)),
      ]);
    },
  };
}

/**
 * The local store's runner: a template in `dialect` (the roll-up's, `SQLITE`, unless a test
 * or benchmark asks for the events folded at read time), on the `ANALYTICS_LOCAL` database.
 * Before the store exists, it is made (and a store from before the roll-up folded) once.
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
