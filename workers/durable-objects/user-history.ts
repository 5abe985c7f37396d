import { DurableObject } from "cloudflare:workers";

/** One video in a user's history: the resume point (spec: Watch Position Tracking). */
export type HistoryRow = {
  video_id: string;
  position: number;
  duration: number;
  percent: number;
  /** ms since the epoch */
  watched_at: number;
};

/** What the last report of a video left: its position, when, and the hour whose view mark it made. */
export interface PreviousReport {
  position: number;
  watchedAt: number;
  /** The hour (since the epoch) whose view mark the video's room has for this user, if known. */
  markHour: number | null;
}

/** A report to keep: the position in a video of `duration` seconds at `watchedAt` (ms). */
export interface HistoryWrite {
  position: number;
  duration: number;
  watchedAt: number;
}

/** Entries one user's history keeps; beyond it the oldest go (YouTube's own history is paged, not endless). */
export const HISTORY_CAP = 10_000;
/** Writes between two checks of the cap. */
const TRIM_EVERY = 100;
/** How long a room join is remembered: sockets live hours, not days (a suspension closes the user's sockets in these rooms). */
export const ROOM_MEMORY_MS = 24 * 3600_000;

const percentOf = (position: number, duration: number) => Math.min(100, Math.round((position / duration) * 1000) / 10);

/**
 * One user's watch history and resume points, their likes, and the live rooms they joined in the last day
 * (issue 23: per-user state off the shared D1;
 * docs/capacity.md), named by the user id, in its own SQLite. Only its user reads or writes
 * it: a report is one call here instead of a D1 read and an upsert. Whether history is paused
 * stays on the user's D1 row (the account's settings). The rows the shared D1 kept before are
 * pulled in on the first call (and by the cron for users who do not come back).
 */
export class UserHistory extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS history (video_id TEXT PRIMARY KEY, position REAL NOT NULL,
        duration REAL NOT NULL, percent REAL NOT NULL, watched_at INTEGER NOT NULL, mark_hour INTEGER) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS history_at ON history (watched_at, video_id);
      CREATE TABLE IF NOT EXISTS rooms (video_id TEXT PRIMARY KEY, joined_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS likes (video_id TEXT PRIMARY KEY, value INTEGER NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;`);
  }

  /**
   * Moves the user's rows that D1's `watch_history` still holds into this object (the newer of
   * two entries for a video wins), then deletes them from D1. Runs once before the first call
   * is answered; `again` runs it even so (the cron's backfill, safe to repeat). Answers the rows
   * taken.
   */
  async pullFromD1(userId: string, again = false): Promise<number> {
    const taken = await this.pull<HistoryRow>({
      flag: "pulled",
      again,
      table: "watch_history",
      columns: "video_id, position, duration, percent, watched_at",
      at: "watched_at",
      userId,
      keep: (r) =>
        this.sql.exec(
          `INSERT INTO history (video_id, position, duration, percent, watched_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (video_id) DO UPDATE SET position = excluded.position, duration = excluded.duration,
             percent = excluded.percent, watched_at = excluded.watched_at WHERE excluded.watched_at > history.watched_at`,
          r.video_id,
          r.position,
          r.duration,
          r.percent,
          r.watched_at,
        ),
    });
    if (taken) this.trim();
    return taken;
  }

  /**
   * A player's report: answers what the video's last report left and, unless `write` is
   * undefined (history paused), keeps this one (the view mark's hour carries over).
   */
  async report(userId: string, videoId: string, write: HistoryWrite | undefined): Promise<PreviousReport | null> {
    await this.pullFromD1(userId);
    const row = this.sql
      .exec<{ position: number; watched_at: number; mark_hour: number | null }>(
        "SELECT position, watched_at, mark_hour FROM history WHERE video_id = ?",
        videoId,
      )
      .toArray()[0];
    if (write) {
      this.sql.exec(
        `INSERT INTO history (video_id, position, duration, percent, watched_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (video_id) DO UPDATE SET position = excluded.position, duration = excluded.duration,
           percent = excluded.percent, watched_at = excluded.watched_at`,
        videoId,
        write.position,
        write.duration,
        percentOf(write.position, write.duration),
        write.watchedAt,
      );
      this.counted();
    }
    return row ? { position: row.position, watchedAt: row.watched_at, markHour: row.mark_hour } : null;
  }

  /** The video's room has this user's mark for `hour`: later reports in that hour need not ask it. */
  async marked(userId: string, videoId: string, hour: number): Promise<void> {
    await this.pullFromD1(userId);
    this.sql.exec("UPDATE history SET mark_hour = ? WHERE video_id = ?", hour, videoId);
  }

  /** The resume point in a video, if the user watched it. */
  async resume(userId: string, videoId: string): Promise<{ position: number; duration: number } | null> {
    await this.pullFromD1(userId);
    return (
      this.sql
        .exec<{ position: number; duration: number }>(
          "SELECT position, duration FROM history WHERE video_id = ?",
          videoId,
        )
        .toArray()[0] ?? null
    );
  }

  /** Newest first, `limit` at most, after the keyset `before` (watched_at, video_id) when given. */
  async page(userId: string, limit: number, before?: { at: number; videoId: string }): Promise<HistoryRow[]> {
    await this.pullFromD1(userId);
    const columns = "video_id, position, duration, percent, watched_at";
    return before
      ? this.sql
          .exec<HistoryRow>(
            `SELECT ${columns} FROM history WHERE watched_at < ?1 OR (watched_at = ?1 AND video_id < ?2)
             ORDER BY watched_at DESC, video_id DESC LIMIT ?3`,
            before.at,
            before.videoId,
            limit,
          )
          .toArray()
      : this.sql
          .exec<HistoryRow>(`SELECT ${columns} FROM history ORDER BY watched_at DESC, video_id DESC LIMIT ?`, limit)
          .toArray();
  }

  /** Forgets one video, or everything. */
  async clear(userId: string, videoId?: string): Promise<void> {
    await this.pullFromD1(userId);
    if (videoId) this.sql.exec("DELETE FROM history WHERE video_id = ?", videoId);
    else this.sql.exec("DELETE FROM history");
  }

  /**
   * Moves the user's likes that D1's `video_likes` still holds into this object (a like made
   * here since wins), then deletes them from D1. Runs once before the first like is answered;
   * `again` runs it even so (the cron's backfill, safe to repeat). Answers the likes taken.
   */
  async pullLikesFromD1(userId: string, again = false): Promise<number> {
    return this.pull<{ video_id: string; value: number; created_at: number }>({
      flag: "likes_pulled",
      again,
      table: "video_likes",
      columns: "video_id, value, created_at",
      at: "created_at",
      userId,
      keep: (r) =>
        this.sql.exec(
          "INSERT INTO likes (video_id, value, at) VALUES (?, ?, ?) ON CONFLICT (video_id) DO NOTHING",
          r.video_id,
          r.value,
          r.created_at,
        ),
    });
  }

  /**
   * One backfill from a D1 table of per-user rows: the user's rows read and kept here (by
   * `keep`), then deleted from D1 up to the latest time read (a row an older Worker writes
   * meanwhile is taken by the next pull), all before any other call is answered; `flag` marks
   * it done, `again` runs it even so. Answers the rows taken.
   */
  private async pull<R extends Record<string, unknown>>(p: {
    flag: string;
    again: boolean;
    table: "watch_history" | "video_likes";
    columns: string;
    at: keyof R & string;
    userId: string;
    keep: (row: R) => unknown;
  }): Promise<number> {
    if (!p.again && this.ctx.storage.kv.get(p.flag)) return 0;
    let taken = 0;
    await this.ctx.blockConcurrencyWhile(async () => {
      const { results } = await this.env.DB.prepare(`SELECT ${p.columns} FROM ${p.table} WHERE user_id = ?`)
        .bind(p.userId)
        .all<R>();
      for (const r of results) p.keep(r);
      if (results.length) {
        await this.env.DB.prepare(`DELETE FROM ${p.table} WHERE user_id = ? AND ${p.at} <= ?`)
          .bind(p.userId, Math.max(...results.map((r) => Number(r[p.at]))))
          .run();
      }
      taken = results.length;
      this.ctx.storage.kv.put(p.flag, true);
    });
    return taken;
  }

  /**
   * The user's like (1), dislike (-1) or neither (0) of the video, at `at` (ms); answers the
   * one it replaces, so the video's counters move by the difference.
   */
  async like(userId: string, videoId: string, value: -1 | 0 | 1, at: number): Promise<number> {
    await this.pullLikesFromD1(userId);
    const previous =
      this.sql.exec<{ value: number }>("SELECT value FROM likes WHERE video_id = ?", videoId).toArray()[0]?.value ?? 0;
    if (value === 0) this.sql.exec("DELETE FROM likes WHERE video_id = ?", videoId);
    else if (value !== previous) {
      this.sql.exec(
        "INSERT INTO likes (video_id, value, at) VALUES (?, ?, ?) ON CONFLICT (video_id) DO UPDATE SET value = excluded.value, at = excluded.at",
        videoId,
        value,
        at,
      );
    }
    return previous;
  }

  /**
   * The user joined the video's live room at `at` (ms): remembered for ROOM_MEMORY_MS, so that
   * a suspension closes their sockets there and a block reaches the room. Joins older than
   * that go with each new one (a user's list is the rooms of one day).
   */
  async joinedRoom(videoId: string, at: number): Promise<void> {
    this.sql.exec(
      "INSERT INTO rooms (video_id, joined_at) VALUES (?, ?) ON CONFLICT (video_id) DO UPDATE SET joined_at = excluded.joined_at",
      videoId,
      at,
    );
    this.sql.exec("DELETE FROM rooms WHERE joined_at < ?", at - ROOM_MEMORY_MS);
  }

  /** The rooms the user joined since `since` (ms). */
  async roomsSince(since: number): Promise<string[]> {
    return this.sql
      .exec<{ video_id: string }>("SELECT video_id FROM rooms WHERE joined_at >= ?", since)
      .toArray()
      .map((r) => r.video_id);
  }

  /** Every `TRIM_EVERY` writes, the entries beyond HISTORY_CAP (the oldest) go. */
  private counted() {
    const writes = (this.ctx.storage.kv.get<number>("writes") ?? 0) + 1;
    this.ctx.storage.kv.put("writes", writes);
    if (writes % TRIM_EVERY === 0) this.trim();
  }

  private trim() {
    this.sql.exec(
      `DELETE FROM history WHERE video_id IN (
         SELECT video_id FROM history ORDER BY watched_at DESC, video_id DESC LIMIT -1 OFFSET ?)`,
      HISTORY_CAP,
    );
  }
}
