import { DurableObject } from "cloudflare:workers";
import { CO_VIEW_WINDOW_MS, RECENT_WATCHES_PER_VIEWER, type RecentWatch, type WindowWatch } from "../storage/signals";

/** How often a shard looks for watches that left the window (and how late one may linger). */
export const WINDOW_PRUNE_EVERY_MS = 3600_000;
/** Watches deleted per statement by the alarm, and statements per alarm. */
const PRUNE_BATCH = 5_000;
const PRUNE_ROUNDS = 20;

/**
 * A share of the viewers' recent windows (issue 23: `viewer_recent_watches` was 2 of the
 * shared D1's statements per view; docs/capacity.md), named `w{k}` by a hash of the viewer
 * (`wiring/windows.ts`), in its own SQLite: each viewer's last 24 hours of counted views, at
 * most 20 videos, from which co-views are made. One call per counted view reads the window
 * and writes the watch; an alarm drops what left the window, so no cron job and no index of
 * the whole platform's watches by time is needed.
 */
export class ViewerWindows extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Whether this instance knows an alarm to be set (one `getAlarm` per instance at most). */
  private armed = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS watches (viewer TEXT NOT NULL, video_id TEXT NOT NULL,
        watched_at INTEGER NOT NULL, event_id TEXT, PRIMARY KEY (viewer, video_id)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS watches_at ON watches (watched_at);`);
  }

  /**
   * A counted view into its viewer's window; answers the videos it makes a co-view with: the
   * others within 24 hours of it when the video is new to the window, none when it is already
   * there. The same event again (a redelivery: the watch's row carries its id) answers the
   * window as of the watch again, so co-views that failed after the first call are made then;
   * the rooms remember the event's id, so none counts twice.
   */
  async record(watch: WindowWatch): Promise<string[]> {
    const since = watch.at - CO_VIEW_WINDOW_MS;
    const row = this.sql
      .exec<{ watched_at: number; event_id: string | null }>(
        "SELECT watched_at, event_id FROM watches WHERE viewer = ? AND video_id = ?",
        watch.viewer,
        watch.videoId,
      )
      .toArray()[0];
    const others = (upTo: number) =>
      this.sql
        .exec<{ video_id: string }>(
          `SELECT video_id FROM watches WHERE viewer = ? AND video_id <> ? AND watched_at >= ? AND watched_at <= ?
           ORDER BY watched_at DESC LIMIT ?`,
          watch.viewer,
          watch.videoId,
          since,
          upTo,
          RECENT_WATCHES_PER_VIEWER,
        )
        .toArray()
        .map((r) => r.video_id);
    // Again: what was there by its time (later watches paired with it when they came).
    if (row?.event_id === watch.id) return others(watch.at);
    if (row && row.watched_at >= since) {
      // Watched again within the window: no new pairs; the window keeps it for longer.
      this.sql.exec(
        "UPDATE watches SET watched_at = max(watched_at, ?) WHERE viewer = ? AND video_id = ?",
        watch.at,
        watch.viewer,
        watch.videoId,
      );
      return [];
    }
    // Within 24 hours either way: a late event pairs with what came after it, not beyond.
    const window = others(watch.at + CO_VIEW_WINDOW_MS);
    this.sql.exec(
      `INSERT INTO watches (viewer, video_id, watched_at, event_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (viewer, video_id) DO UPDATE SET watched_at = excluded.watched_at, event_id = excluded.event_id`,
      watch.viewer,
      watch.videoId,
      watch.at,
      watch.id,
    );
    this.trim(watch.viewer, since);
    await this.arm();
    return window;
  }

  /** A viewer's window as it stands, newest first. */
  async window(viewer: string): Promise<RecentWatch[]> {
    return this.sql
      .exec<{ video_id: string; watched_at: number }>(
        "SELECT video_id, watched_at FROM watches WHERE viewer = ? ORDER BY watched_at DESC",
        viewer,
      )
      .toArray()
      .map((r) => ({ viewer, videoId: r.video_id, at: r.watched_at }));
  }

  /** Drops the watches that left the window (by the clock), then looks again in an hour while any remain. */
  override async alarm(): Promise<void> {
    this.prune(Date.now());
    this.armed = false;
    await this.arm();
  }

  /** Deletes watches older than the window as of `now`, a batch at a time. */
  private prune(now: number) {
    for (let round = 0; round < PRUNE_ROUNDS; round++) {
      this.sql.exec(
        `DELETE FROM watches WHERE (viewer, video_id) IN (
           SELECT viewer, video_id FROM watches WHERE watched_at < ? ORDER BY watched_at LIMIT ?)`,
        now - CO_VIEW_WINDOW_MS,
        PRUNE_BATCH,
      );
      if (this.sql.exec<{ n: number }>("SELECT changes() AS n").one().n < PRUNE_BATCH) break;
    }
  }

  /** The viewer's window cut to its 24 hours and its 20 latest videos. */
  private trim(viewer: string, since: number) {
    this.sql.exec(
      `DELETE FROM watches WHERE viewer = ?1 AND (watched_at < ?2 OR video_id NOT IN (
         SELECT video_id FROM watches WHERE viewer = ?1 ORDER BY watched_at DESC LIMIT ?3))`,
      viewer,
      since,
      RECENT_WATCHES_PER_VIEWER,
    );
  }

  /** Sets the prune's alarm if none is set and any watch is kept. */
  private async arm() {
    if (this.armed) return;
    if ((await this.ctx.storage.getAlarm()) === null) {
      if (!this.sql.exec("SELECT 1 FROM watches LIMIT 1").toArray().length) return;
      await this.ctx.storage.setAlarm(Date.now() + WINDOW_PRUNE_EVERY_MS);
    }
    this.armed = true;
  }
}
