/** One watch event's share of its video's hour in a region (what the watch-events consumer rolls up). */
export interface HourEvent {
  /** The watch event's id: each counts once. */
  id: string;
  region: string;
  /** Hours since the epoch. */
  hour: number;
  views: number;
  watchSeconds: number;
  likes: number;
  comments: number;
  shares: number;
}

/** A video's hour in one region (`ZZ` unknown), summed. */
export type HourRow = Omit<HourEvent, "id">;

/** An hour as SQL keeps it (the rooms' `hours`, D1's `video_region_hourly`). */
export type HourColumns = {
  hour: number;
  region: string;
  views: number;
  watch_seconds: number;
  likes: number;
  comments: number;
  shares: number;
};

export const hourRowOf = (r: HourColumns): HourRow => ({
  hour: r.hour,
  region: r.region,
  views: r.views,
  watchSeconds: r.watch_seconds,
  likes: r.likes,
  comments: r.comments,
  shares: r.shares,
});

/** What a day of the video adds to D1's `video_stats_daily` at the room's next flush. */
export interface DayDelta {
  /** Days since the epoch. */
  day: number;
  views: number;
  watchSeconds: number;
  likes: number;
  shares: number;
}

/** An event's id is remembered this long: the watch-events queue redelivers within minutes. */
const EVENT_KEEP_MS = 3600_000;

/**
 * A video's activity per hour and region in its room's own SQLite (issue 23: D1's
 * `video_region_hourly` grew 1.2 GB a day at 10 million views, and its writes were a third of
 * the database's statements). Kept for the hours trending reads; each event counts once (its
 * id is remembered an hour), so the queue can redeliver it. What the events add is also summed
 * per day for the room's flush to D1's daily rows (`pendingDays`), which are the all-time
 * figures.
 */
export class RoomHours {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS hours (hour INTEGER NOT NULL, region TEXT NOT NULL, views INTEGER NOT NULL,
        watch_seconds REAL NOT NULL, likes INTEGER NOT NULL, comments INTEGER NOT NULL, shares INTEGER NOT NULL,
        PRIMARY KEY (hour, region)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS imported_hours (hour INTEGER NOT NULL, region TEXT NOT NULL,
        PRIMARY KEY (hour, region)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS rolled_events (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS rolled_events_at ON rolled_events (at);`);
  }

  /**
   * Adds each event not counted before to its hour; answers what they add to each day (to be
   * flushed to D1), empty when every one was counted already.
   */
  add(events: readonly HourEvent[], now = Date.now()): DayDelta[] {
    this.sql.exec("DELETE FROM rolled_events WHERE at < ?", now - EVENT_KEEP_MS);
    const days = new Map<number, DayDelta>();
    for (const e of events) {
      const fresh = this.sql
        .exec("INSERT INTO rolled_events (id, at) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING 1", e.id, now)
        .toArray().length;
      if (!fresh) continue;
      this.keep(e);
      const day = Math.floor(e.hour / 24);
      const d = days.get(day) ?? { day, views: 0, watchSeconds: 0, likes: 0, shares: 0 };
      d.views += e.views;
      d.watchSeconds += e.watchSeconds;
      d.likes += e.likes;
      d.shares += e.shares;
      days.set(day, d);
    }
    return [...days.values()];
  }

  /** A view the room counted itself (a new view mark): its hour and its day's delta. */
  addView(hour: number, region: string): DayDelta {
    this.keep({ hour, region, views: 1, watchSeconds: 0, likes: 0, comments: 0, shares: 0 });
    return { day: Math.floor(hour / 24), views: 1, watchSeconds: 0, likes: 0, shares: 0 };
  }

  /**
   * Hours from before the room kept them (D1's, moved by the cron): their days are D1's
   * already. Each (hour, region) is taken once, so a move that runs again adds nothing.
   */
  import(rows: readonly HourRow[]): void {
    for (const r of rows) {
      const fresh = this.sql
        .exec(
          "INSERT INTO imported_hours (hour, region) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING 1",
          r.hour,
          r.region,
        )
        .toArray().length;
      if (fresh) this.keep(r);
    }
  }

  private keep(r: HourRow) {
    this.sql.exec(
      `INSERT INTO hours (hour, region, views, watch_seconds, likes, comments, shares) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (hour, region) DO UPDATE SET views = views + excluded.views,
         watch_seconds = watch_seconds + excluded.watch_seconds, likes = likes + excluded.likes,
         comments = comments + excluded.comments, shares = shares + excluded.shares`,
      r.hour,
      r.region,
      r.views,
      r.watchSeconds,
      r.likes,
      r.comments,
      r.shares,
    );
  }

  /** The hours from `fromHour` on, every region. */
  since(fromHour: number): HourRow[] {
    return this.sql
      .exec<HourColumns>(
        "SELECT hour, region, views, watch_seconds, likes, comments, shares FROM hours WHERE hour >= ? ORDER BY hour, region",
        fromHour,
      )
      .toArray()
      .map(hourRowOf);
  }

  /** Drops the hours before `keepFrom`. */
  expire(keepFrom: number): void {
    this.sql.exec("DELETE FROM hours WHERE hour < ?", keepFrom);
    this.sql.exec("DELETE FROM imported_hours WHERE hour < ?", keepFrom);
  }

  /** The oldest hour kept, if any. */
  oldest(): number | null {
    return this.sql.exec<{ h: number | null }>("SELECT min(hour) AS h FROM hours").one().h;
  }
}

/** `b`'s days added into `a` (the pending days of a room between flushes). */
export function addDays(a: readonly DayDelta[], b: readonly DayDelta[]): DayDelta[] {
  const out = new Map(a.map((d) => [d.day, { ...d }]));
  for (const d of b) {
    const o = out.get(d.day);
    if (!o) out.set(d.day, { ...d });
    else {
      o.views += d.views;
      o.watchSeconds += d.watchSeconds;
      o.likes += d.likes;
      o.shares += d.shares;
    }
  }
  return [...out.values()];
}
