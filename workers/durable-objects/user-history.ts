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
 * stays on the user's D1 row (the account's settings).
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
   * A player's report: answers what the video's last report left and, unless `write` is
   * undefined (history paused), keeps this one (the view mark's hour carries over).
   */
  async report(videoId: string, write: HistoryWrite | undefined): Promise<PreviousReport | null> {
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
  async marked(videoId: string, hour: number): Promise<void> {
    this.sql.exec("UPDATE history SET mark_hour = ? WHERE video_id = ?", hour, videoId);
  }

  /** The resume point in a video, if the user watched it. */
  async resume(videoId: string): Promise<{ position: number; duration: number } | null> {
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
  async page(limit: number, before?: { at: number; videoId: string }): Promise<HistoryRow[]> {
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
  async clear(videoId?: string): Promise<void> {
    if (videoId) this.sql.exec("DELETE FROM history WHERE video_id = ?", videoId);
    else this.sql.exec("DELETE FROM history");
  }

  /**
   * The user's like (1), dislike (-1) or neither (0) of the video, at `at` (ms); answers the
   * one it replaces, so the video's counters move by the difference.
   */
  async like(videoId: string, value: -1 | 0 | 1, at: number): Promise<number> {
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
