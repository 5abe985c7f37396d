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

/** An hour as SQL keeps it (the `hours` table). */
type HourColumns = {
  hour: number;
  region: string;
  views: number;
  watch_seconds: number;
  likes: number;
  comments: number;
  shares: number;
};

const hourRowOf = (r: HourColumns): HourRow => ({
  hour: r.hour,
  region: r.region,
  views: r.views,
  watchSeconds: r.watch_seconds,
  likes: r.likes,
  comments: r.comments,
  shares: r.shares,
});

/** What an hour (of the day `day`) has that the room's flushes have not carried to D1 yet. */
export interface DayDelta {
  /** Days since the epoch. */
  day: number;
  views: number;
  watchSeconds: number;
  likes: number;
  shares: number;
}

/**
 * The ids of the events an object counted lately, in its memory only (at most `cap`, the oldest
 * go first): the watch-events queue delivers an event again within minutes of a failed try,
 * which this catches while the object stays in memory. Kept in its SQLite, each id was two
 * rows written (its insert and its expiry) per event, 79 a view, billed as D1's rows written
 * are: more than the roll-up itself (docs/capacity.md). An event delivered again after the
 * object left memory adds its watch time twice; never a view, which the marks count.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly cap = 20_000) {}

  /** Whether `id` is new here (it is remembered from now on). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.cap) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
    return true;
  }
}

/** The sums an hour keeps. */
type Sums = { views: number; watchSeconds: number; likes: number; comments: number; shares: number };

/** `rows` summed per key, in the order keys first appear (each key's first row, copied, takes the others' sums). */
export function sumBy<T extends Sums>(rows: readonly T[], keyOf: (row: T) => string | number): T[] {
  const out = new Map<string | number, T>();
  for (const r of rows) {
    const key = keyOf(r);
    const into = out.get(key);
    if (!into) out.set(key, { ...r });
    else {
      into.views += r.views;
      into.watchSeconds += r.watchSeconds;
      into.likes += r.likes;
      into.comments += r.comments;
      into.shares += r.shares;
    }
  }
  return [...out.values()];
}

/** An hour of a region whose sums moved on since its last flush, and by how much. */
export type UnflushedHour = DayDelta & { hour: number; region: string };

const SUMS = "views, watch_seconds, likes, comments, shares";

/**
 * A video's activity per hour and region in its room's own SQLite (issue 23: D1's
 * `video_region_hourly` grew 1.2 GB a day at 10 million views, and it and the event ids took
 * two statements of every event). Kept for the hours trending reads. Each row also keeps what
 * of it has reached D1's daily rows (`flushed_*`), so the room's flush sends what moved on
 * since (`unflushed`) and nothing is written per event but the hour itself: one row, or one
 * for all of a call's events in that hour and region. An hour goes only once flushed.
 */
export class RoomHours {
  private readonly recent = new RecentIds();

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS hours (hour INTEGER NOT NULL, region TEXT NOT NULL, views INTEGER NOT NULL,
        watch_seconds REAL NOT NULL, likes INTEGER NOT NULL, comments INTEGER NOT NULL, shares INTEGER NOT NULL,
        flushed_views INTEGER NOT NULL DEFAULT 0, flushed_watch_seconds REAL NOT NULL DEFAULT 0,
        flushed_likes INTEGER NOT NULL DEFAULT 0, flushed_shares INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (hour, region)) WITHOUT ROWID;
      DROP TABLE IF EXISTS imported_hours;`); // the hours D1's backfill brought in (gone with migration 0022)
  }

  /** Adds the events not counted lately to their hours (one write per hour and region); whether any was new. */
  add(events: readonly HourEvent[]): boolean {
    const sums = sumBy(
      events.filter((e) => this.recent.add(e.id)),
      (e) => `${e.hour}\u0000${e.region}`,
    );
    for (const s of sums) this.keep(s);
    return sums.length > 0;
  }

  /** A view the room counted itself (a new view mark), into its hour. */
  addView(hour: number, region: string): void {
    this.keep({ hour, region, views: 1, watchSeconds: 0, likes: 0, comments: 0, shares: 0 });
  }

  /** A comment the room published (posted, or approved by the owner), into its hour: trending counts it. */
  addComment(hour: number, region: string): void {
    this.keep({ hour, region, views: 0, watchSeconds: 0, likes: 0, comments: 1, shares: 0 });
  }

  private keep(r: HourRow) {
    this.sql.exec(
      `INSERT INTO hours (hour, region, ${SUMS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
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

  /** What each hour has that its days in D1 do not yet: the next flush's rows. */
  unflushed(): UnflushedHour[] {
    return this.sql
      .exec<{ hour: number; region: string; views: number; watch_seconds: number; likes: number; shares: number }>(
        `SELECT hour, region, views - flushed_views AS views, watch_seconds - flushed_watch_seconds AS watch_seconds,
           likes - flushed_likes AS likes, shares - flushed_shares AS shares
         FROM hours WHERE ${UNFLUSHED}`,
      )
      .toArray()
      .map((r) => ({
        hour: r.hour,
        region: r.region,
        day: Math.floor(r.hour / 24),
        views: r.views,
        watchSeconds: r.watch_seconds,
        likes: r.likes,
        shares: r.shares,
      }));
  }

  /** `rows` reached D1: added to what each hour has flushed (events that came meanwhile wait for the next flush). */
  flushed(rows: readonly UnflushedHour[]): void {
    for (const r of rows) {
      this.sql.exec(
        `UPDATE hours SET flushed_views = flushed_views + ?, flushed_watch_seconds = flushed_watch_seconds + ?,
           flushed_likes = flushed_likes + ?, flushed_shares = flushed_shares + ? WHERE hour = ? AND region = ?`,
        r.views,
        r.watchSeconds,
        r.likes,
        r.shares,
        r.hour,
        r.region,
      );
    }
  }

  /** The hours from `fromHour` on, every region. */
  since(fromHour: number): HourRow[] {
    return this.sql
      .exec<HourColumns>(`SELECT hour, region, ${SUMS} FROM hours WHERE hour >= ? ORDER BY hour, region`, fromHour)
      .toArray()
      .map(hourRowOf);
  }

  /** Drops the hours before `keepFrom` that are flushed. */
  expire(keepFrom: number): void {
    this.sql.exec(`DELETE FROM hours WHERE hour < ? AND NOT (${UNFLUSHED})`, keepFrom);
  }

  /** The oldest hour kept, if any. */
  oldest(): number | null {
    return this.sql.exec<{ h: number | null }>("SELECT min(hour) AS h FROM hours").one().h;
  }
}

const UNFLUSHED = `(views <> flushed_views OR watch_seconds <> flushed_watch_seconds OR likes <> flushed_likes
  OR shares <> flushed_shares)`;
