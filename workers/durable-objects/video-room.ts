import { DurableObject } from "cloudflare:workers";
import type { Database } from "../env";
import { log } from "../lib/log";
import { GLOBAL_REGION, isCountry, UNKNOWN_REGION } from "../lib/region";
import { type CommentOut, toComment } from "../schemas/comments";
import {
  deleteComment,
  findComment,
  insertComments,
  markCommentRemoved,
  type NewComment,
  publishComment,
} from "../storage/comments";
import { database } from "../storage/db";
import { flushRoom } from "../storage/engagement";
import type { CoViewPair } from "../storage/signals";
import { findPlaybackFacts, readCounts } from "../storage/videos";
import { addLogs, CoViewTable, subtractLogs } from "./co-views";
import { countSecond, heldAbove, type RateLog, sampleTop } from "./live-sampling";
import { type HourEvent, type HourRow, RoomHours } from "./room-hours";
import type { RoomRelay } from "./room-relay";
import {
  type AddCommentResult,
  type CaptionsUpdate,
  type CommentDraft,
  type CounterDelta,
  type Counters,
  DEFAULT_SETTINGS,
  LIMITS,
  type LiveSettings,
  type RoomEvent,
  type SequencedMessage,
  type ServerMessage,
  type StatusUpdate,
  type ViewMark,
} from "./video-room-protocol";

type Totals = Required<CounterDelta>;

/** Wall time of ticks: the hub's whole tick (D1 batch and relay RPCs) and each relay's share. */
class TickStats {
  private hub: number[] = [];
  private relays: number[] = [];
  private events = 0;
  constructor(private readonly report: (summary: Record<string, number>) => void) {}

  add(hubMs: number, relayMs: number[], events: number) {
    this.hub.push(hubMs);
    this.relays.push(...relayMs);
    this.events += events;
    if (this.hub.length < 100) return;
    const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)] ?? 0;
    this.report({
      ticks: this.hub.length,
      events_per_tick: Math.round((this.events / this.hub.length) * 10) / 10,
      hub_ms_p50: p(this.hub, 0.5),
      hub_ms_p95: p(this.hub, 0.95),
      relay_ms_p50: p(this.relays, 0.5),
      relay_ms_p95: p(this.relays, 0.95),
      relays: Math.round(this.relays.length / this.hub.length),
    });
    this.hub = [];
    this.relays = [];
    this.events = 0;
  }
}
const HOUR_MS = 3600_000;
const ZERO: Totals = { views: 0, likes: 0, dislikes: 0, comments: 0, shares: 0 };

/** A comment accepted but not yet in D1: everything its event and its D1 row need. */
interface PendingComment {
  row: NewComment;
  username: string;
  privileged: boolean;
  replyTo?: string;
}

/**
 * One hub per video (named by its id): the only writer of the video's live side. It stamps
 * every event a client must not miss with `seq` and keeps the last LIMITS.backlog of them in
 * its own SQLite (`GET /live/events`); accepts comments under the live limits, keeps them
 * durable in that SQLite until a tick writes the tick's comments to D1 in one batch (so
 * nothing accepted is lost when the object restarts: the alarm finishes the flush); and once
 * per tick pushes the tick's events to its relays, one RPC each, which hold the sockets.
 * Counters (views, likes, comments, shares) are bumped here and flushed to D1 from the alarm;
 * the watchers count is the relays' sockets, reported back to it. Views are counted here too:
 * the video's view marks (one per viewer and hour) live in this SQLite for LIMITS.markHours,
 * not in the shared D1 (docs/capacity.md), and so are its co-views (co-views.ts), whose total
 * is flushed with the counters.
 */
export class VideoRoom extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly coViewTable: CoViewTable;
  private readonly hours: RoomHours;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS pending_comments (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS relays (k INTEGER PRIMARY KEY, sockets INTEGER NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS buckets (user_id TEXT PRIMARY KEY, tokens REAL NOT NULL, at INTEGER NOT NULL, last INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS view_marks (viewer TEXT NOT NULL, hour INTEGER NOT NULL, region TEXT NOT NULL,
        PRIMARY KEY (viewer, hour)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS view_marks_hour ON view_marks (hour);`);
    this.coViewTable = new CoViewTable(this.sql);
    this.hours = new RoomHours(this.sql);
  }

  private get videoId(): string {
    return this.ctx.storage.kv.get<string>("video_id") ?? "";
  }

  private remember(videoId: string) {
    if (!this.ctx.storage.kv.get("video_id")) this.ctx.storage.kv.put("video_id", videoId);
  }

  // --- sequenced events and their backlog ---

  private get seq(): number {
    return this.ctx.storage.kv.get<number>("seq") ?? 0;
  }

  /** Stamps a message with the next seq and keeps it (synchronously: the stamp order is the arrival order). */
  private sequence<M extends SequencedMessage>(build: (seq: number) => M, meta: Omit<RoomEvent, "message"> = {}) {
    const seq = this.seq + 1;
    const message = build(seq);
    this.ctx.storage.kv.put("seq", seq);
    this.sql.exec("INSERT INTO events (seq, body, at) VALUES (?, ?, ?)", seq, JSON.stringify(message), Date.now());
    this.queued.push({ ...meta, message });
    if (seq % 100 === 0) this.sql.exec("DELETE FROM events WHERE seq <= ?", seq - LIMITS.backlog);
    return message;
  }

  /** The events after `after`, oldest first (at most `limit`), and the latest seq: what a client missed. */
  async eventsAfter(videoId: string, after: number, limit: number): Promise<{ items: ServerMessage[]; seq: number }> {
    this.remember(videoId);
    const rows = this.sql
      .exec<{ body: string }>("SELECT body FROM events WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
      .toArray();
    return { items: rows.map((r) => JSON.parse(r.body) as ServerMessage), seq: this.seq };
  }

  // --- ticks: the events of an interval reach every relay in one RPC each ---

  /** Events waiting for the next tick (in memory: lost with an eviction, and found again in `events`). */
  private queued: RoomEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticking: Promise<void> | undefined;
  private topWindow: number[] = [];

  private scheduleTick() {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, LIMITS.tickMs);
  }

  /**
   * One tick: the tick's events to every relay. The tick's comments go to D1 beside it (one
   * batch), and the next tick does not wait for that write: an accepted comment is durable in
   * this object's SQLite already, and the room's own backlog repairs gaps, so delivery keeps
   * its interval while the batch queues behind other requests' queries on a busy database. A
   * list read may miss a comment its reader heard of for that long; the author's POST still
   * answers after the row is in D1 (`committed`).
   */
  private async tick(): Promise<void> {
    this.flushBeside();
    if (this.ticking) {
      this.scheduleTick();
      return this.ticking;
    }
    this.tickStarted = Date.now();
    this.ticking = (async () => {
      const events = this.queued;
      this.queued = [];
      try {
        await this.deliver(events);
      } catch (err) {
        // Failed delivery sends again.
        this.queued = [...events, ...this.queued];
        this.scheduleTick();
        throw err;
      } finally {
        this.ticking = undefined;
      }
    })();
    return this.ticking;
  }

  /**
   * The alarm's tick, unless the timer's is due: that one takes what waits, and a socket gets at
   * most one frame an interval (an alarm right after a timer's tick would send a second one).
   * After an eviction no timer is set, and this tick delivers at once.
   */
  private async tickUnlessTimed(): Promise<void> {
    if (this.timer === undefined) await this.tick();
  }

  /** Starts a flush of the waiting comments unless one is running; the tick after it takes what is left. */
  private flushBeside() {
    if (this.flushing || !this.hasPendingComments()) return;
    this.flushComments().then(
      () => {
        if (this.hasPendingComments()) this.scheduleTick();
      },
      (err) => {
        // The rows stay in SQLite; the next tick writes them again.
        log("warn", "comment flush failed", { video_id: this.videoId, error: String(err) });
        this.scheduleTick();
      },
    );
  }

  private hasPendingComments(): boolean {
    return this.sql.exec<{ n: number }>("SELECT EXISTS (SELECT 1 FROM pending_comments) AS n").one().n === 1;
  }

  /** The flush running now; a flush asked for meanwhile runs after it. */
  private flushing: Promise<void> | undefined;

  /**
   * The room's comment writes run one after another: flushes, held comments, approvals and
   * deletions, each seeing the writes before it. Work run here calls `flushOnce`, never
   * `flushComments` (that would wait for itself).
   */
  private writing: Promise<unknown> = Promise.resolve();

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writing.catch(() => undefined).then(work);
    this.writing = run;
    return run;
  }

  /** Comments accepted until now go to D1 in one batch, in seq order, after the writes before them. */
  private flushComments(): Promise<void> {
    const run = this.serially(() => this.flushOnce());
    this.flushing = run;
    const clear = () => {
      if (this.flushing === run) this.flushing = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  private async flushOnce(): Promise<void> {
    const rows = this.sql
      .exec<{ seq: number; body: string }>("SELECT seq, body FROM pending_comments ORDER BY seq")
      .toArray();
    if (!rows.length) return;
    const pending = rows.map((r) => JSON.parse(r.body) as PendingComment);
    await this.storeComments(
      pending.map((p) => ({ ...p.row, username: p.username, createdAt: new Date(p.row.createdAt) })),
    );
    const last = rows[rows.length - 1]?.seq ?? 0;
    this.sql.exec("DELETE FROM pending_comments WHERE seq <= ?", last);
    this.ctx.storage.kv.put("flushed", last);
    for (const [seq, resolve] of this.waiting) {
      if (seq <= last) {
        resolve();
        this.waiting.delete(seq);
      }
    }
  }

  /** The `COMMENTS` database, where the video's comments are. */
  private get comments(): Database {
    return database(this.env.COMMENTS);
  }

  /** The video's channel, which each of its comments carries: read from `DB` once (it never changes). */
  private channelId: string | undefined;

  /** Writes comments of the video (each with its channel and author's name). */
  private async storeComments(rows: (NewComment & { username: string })[]): Promise<void> {
    if (this.channelId === undefined) {
      const facts = await findPlaybackFacts(database(this.env.DB), this.videoId);
      // A video deleted meanwhile: its comments fail as its foreign key failed them before.
      if (!facts) throw new Error(`video ${this.videoId} is gone`);
      this.channelId = facts.channel_id;
    }
    await insertComments(this.comments, rows, this.channelId);
  }

  /** Callers waiting for a comment of theirs to be in D1. */
  private readonly waiting = new Map<number, () => void>();

  /**
   * Resolves once the comment stamped `seq` is in D1 (its tick's batch): the POST answers
   * then, so that its author's next read of the list has it, and the list's cache is purged
   * after the row is there, not before. A restart meanwhile loses nothing (the alarm flushes);
   * the caller just stops waiting.
   */
  async committed(videoId: string, seq: number): Promise<void> {
    this.remember(videoId);
    const pendingSeq = this.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM pending_comments WHERE seq <= ?", seq)
      .one().n;
    if (!pendingSeq) return;
    await new Promise<void>((resolve) => {
      this.waiting.set(seq, resolve);
      this.scheduleTick();
    });
  }

  /**
   * Events a relay's delivery failed to take (an overloaded or restarting object), by relay:
   * they go to it again, before the next tick's, in the next tick (one is scheduled at once), so
   * its sockets get them in order instead of each finding the gap and asking the backlog. At
   * most `LIMITS.backlog` are kept for a relay, for at most `LIMITS.relayRetries` tries in a
   * row; a socket that misses more fills from the backlog, as after a reconnect. In memory: an
   * eviction forgets them (the sockets then fill from the backlog at the next frame).
   */
  private readonly undelivered = new Map<number, { events: RoomEvent[]; failures: number }>();

  /** Pushes a tick's events (and the counters, when due) to every relay holding sockets. */
  private async deliver(events: RoomEvent[]): Promise<void> {
    const counters = await this.countersIfDue();
    if (counters) events.push({ message: counters });
    if (!events.length && !this.undelivered.size) return;
    sampleTop(events, this.topWindow, Date.now(), LIMITS.topPerSecond);
    const videoId = this.videoId;
    const relays = this.sql.exec<{ k: number }>(
      "SELECT k FROM relays WHERE sockets > 0 OR at > ?",
      Date.now() - 60_000,
    );
    const relayMs: number[] = [];
    const live = relays.toArray().map(({ k }) => k);
    for (const k of this.undelivered.keys()) if (!live.includes(k)) this.undelivered.delete(k);
    await Promise.all(
      live.map(async (k) => {
        const missed = this.undelivered.get(k);
        const theirs = missed ? [...missed.events, ...events] : events;
        if (!theirs.length) return;
        try {
          const { sockets, ms } = await this.relay(k).deliver({ videoId, events: theirs });
          this.undelivered.delete(k);
          relayMs.push(ms);
          this.sql.exec("UPDATE relays SET sockets = ? WHERE k = ?", sockets, k);
        } catch (err) {
          const failures = (missed?.failures ?? 0) + 1;
          const retry = failures < LIMITS.relayRetries;
          if (retry) {
            this.undelivered.set(k, { events: theirs.slice(-LIMITS.backlog), failures });
            this.scheduleTick();
          } else this.undelivered.delete(k);
          log("warn", "relay delivery failed", {
            video_id: videoId,
            relay: k,
            error: String(err),
            events: theirs.length,
            retry,
          });
        }
      }),
    );
    const last = events.findLast((e) => "seq" in e.message)?.message;
    if (last && "seq" in last) this.ctx.storage.kv.put("delivered", last.seq);
    this.stats.add(Date.now() - this.tickStarted, relayMs, events.length);
  }

  /** What ticks cost, logged every so often (docs/architecture.md's figures come from bench:room). */
  private readonly stats = new TickStats((summary) =>
    log("info", "room ticks", { video_id: this.videoId, ...summary }),
  );
  private tickStarted = 0;

  private relay(k: number): DurableObjectStub<RoomRelay> {
    return this.env.ROOM_RELAY.get(this.env.ROOM_RELAY.idFromName(`${this.videoId}:r${k}`));
  }

  // --- relays: which one a joiner goes to, and how many sockets each holds ---

  /**
   * The relay a new watcher joins: the first with room, or a new one; null when the video's
   * rooms are full (ROOM_MAX_SOCKETS). Joins are counted here until the relay reports.
   */
  async assignRelay(videoId: string): Promise<number | null> {
    this.remember(videoId);
    const capacity = Number(this.env.ROOM_RELAY_SOCKETS) || LIMITS.relaySockets;
    const max = Number(this.env.ROOM_MAX_SOCKETS) || LIMITS.maxSockets;
    const relays = this.sql.exec<{ k: number; sockets: number }>("SELECT k, sockets FROM relays ORDER BY k").toArray();
    if (relays.reduce((n, r) => n + r.sockets, 0) >= max) return null;
    const open = relays.find((r) => r.sockets < capacity);
    const k = open?.k ?? relays.length;
    this.sql.exec(
      `INSERT INTO relays (k, sockets, at) VALUES (?, 1, ?)
       ON CONFLICT (k) DO UPDATE SET sockets = sockets + 1, at = excluded.at`,
      k,
      Date.now(),
    );
    return k;
  }

  /** A relay says how many sockets it holds (after a join or a close): the watchers count follows. */
  async relaySockets(videoId: string, k: number, sockets: number): Promise<void> {
    this.remember(videoId);
    this.sql.exec(
      "INSERT INTO relays (k, sockets, at) VALUES (?, ?, ?) ON CONFLICT (k) DO UPDATE SET sockets = excluded.sockets, at = excluded.at",
      k,
      sockets,
      Date.now(),
    );
    this.countersDirty = true;
    this.scheduleTick();
  }

  /** Tells every relay something: closing a blocked video's room, a suspended viewer's sockets. */
  private async everyRelay(call: (relay: DurableObjectStub<RoomRelay>) => Promise<unknown>) {
    const relays = this.sql.exec<{ k: number }>("SELECT k FROM relays").toArray();
    await Promise.all(relays.map(({ k }) => call(this.relay(k)).catch(() => undefined)));
  }

  /** The video was blocked: every watcher is told why and closed (4451). */
  async closeRoom(videoId: string, reason: string): Promise<void> {
    this.remember(videoId);
    await this.everyRelay((relay) => relay.closeAll(reason));
  }

  /** A viewer's account was suspended: their sockets close (4401). */
  async closeViewer(videoId: string, userId: string, reason: string): Promise<void> {
    this.remember(videoId);
    await this.everyRelay((relay) => relay.closeViewer(userId, reason));
  }

  // --- counters ---

  private pending(): Totals {
    return { ...ZERO, ...this.ctx.storage.kv.get<Totals>("pending") };
  }

  /** The counts D1 had when the room first looked, plus everything flushed since. */
  private async base(): Promise<Totals> {
    const known = this.ctx.storage.kv.get<Totals>("base");
    if (known) return known;
    const base = (await readCounts(database(this.env.DB), this.videoId)) ?? ZERO;
    this.ctx.storage.kv.put("base", base);
    return base;
  }

  private watchers(): number {
    return this.sql.exec<{ n: number }>("SELECT coalesce(sum(sockets), 0) AS n FROM relays").one().n;
  }

  /** The counts a watcher sees: stored plus not yet flushed. */
  async counters(videoId: string): Promise<Counters> {
    this.remember(videoId);
    const [base, pending] = [await this.base(), this.pending()];
    return {
      views: base.views + pending.views,
      likes: base.likes + pending.likes,
      comments: base.comments + pending.comments,
      viewers: this.watchers(),
    };
  }

  private countersDirty = false;

  /** The counters message, when they changed and the last one went out long enough ago. */
  private async countersIfDue(): Promise<ServerMessage | undefined> {
    if (!this.countersDirty) return undefined;
    const wait = (this.ctx.storage.kv.get<number>("counters_at") ?? 0) + LIMITS.countersEveryMs - Date.now();
    if (wait > 0) {
      this.scheduleTick();
      return undefined;
    }
    this.countersDirty = false;
    this.ctx.storage.kv.put("counters_at", Date.now());
    return { type: "counters", video_id: this.videoId, ...(await this.counters(this.videoId)) };
  }

  /** Adds to the video's counters; they reach D1 at the next flush (at most a few seconds). */
  async bump(videoId: string, delta: CounterDelta): Promise<Totals> {
    this.remember(videoId);
    const base = await this.base();
    const pending = this.pending();
    const keys = Object.keys(ZERO) as (keyof Totals)[];
    if (keys.some((key) => delta[key])) {
      for (const key of keys) pending[key] += delta[key] ?? 0;
      this.ctx.storage.kv.put("pending", pending);
      await this.alarmWithin(LIMITS.flushAfterMs);
      this.countersDirty = true;
      this.scheduleTick();
    }
    // The exact counts after the change: what D1 has, and what is not flushed yet.
    const totals = { ...ZERO };
    for (const key of keys) totals[key] = base[key] + pending[key];
    return totals;
  }

  // --- view marks ---

  /**
   * Marks a view of `mark.viewer` in `mark.hour`: the first mark of a viewer in an hour counts
   * a view (bumped like any counter); the rest answer false. Marks older than LIMITS.markHours
   * go at the alarm, which a new mark keeps set.
   */
  async markView(videoId: string, mark: ViewMark): Promise<boolean> {
    this.remember(videoId);
    if (!this.keepMark(mark)) return false;
    // The view's hour is counted here, with the counter, so that its day reaches D1 (and
    // trending sees the video active) at the same flush; its watch event carries only the rest.
    this.hours.addView(mark.hour, mark.region);
    await this.bump(videoId, { views: 1 });
    return true;
  }

  /** Keeps a mark unless the viewer's hour has one: whether it is new. */
  private keepMark(mark: ViewMark): boolean {
    return (
      this.sql
        .exec(
          "INSERT INTO view_marks (viewer, hour, region) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
          mark.viewer,
          mark.hour,
          mark.region,
        )
        .toArray().length === 1
    );
  }

  /**
   * Distinct viewers since `fromHour` in each of `regions` (`global`: every region), each
   * counted only up to `cap`: trending's threshold, so a popular video reads `cap` rows.
   */
  async viewers(videoId: string, fromHour: number, regions: readonly string[], cap: number): Promise<number[]> {
    this.remember(videoId);
    return regions.map((region) =>
      region === GLOBAL_REGION
        ? this.sql
            .exec<{ n: number }>(
              "SELECT count(*) AS n FROM (SELECT DISTINCT viewer FROM view_marks WHERE hour >= ? LIMIT ?)",
              fromHour,
              cap,
            )
            .one().n
        : this.sql
            .exec<{ n: number }>(
              "SELECT count(*) AS n FROM (SELECT DISTINCT viewer FROM view_marks WHERE region = ? AND hour >= ? LIMIT ?)",
              region,
              fromHour,
              cap,
            )
            .one().n,
    );
  }

  /** Drops marks and hours past LIMITS.markHours and sets the alarm for when the oldest left expires. */
  private async expireMarks(now = Date.now()) {
    const keepFrom = Math.floor(now / HOUR_MS) - LIMITS.markHours + 1;
    this.sql.exec("DELETE FROM view_marks WHERE hour < ?", keepFrom);
    this.hours.expire(keepFrom);
    await this.expireMarksLater(now);
  }

  private async expireMarksLater(now = Date.now()) {
    const marks = this.sql.exec<{ h: number | null }>("SELECT min(hour) AS h FROM view_marks").one().h;
    const hours = this.hours.oldest();
    const oldest = marks === null ? hours : hours === null ? marks : Math.min(marks, hours);
    if (oldest !== null) await this.alarmBy(Math.max(now, (oldest + LIMITS.markHours) * HOUR_MS));
  }

  // --- hourly activity ---

  /**
   * Rolls watch events into the video's hours (each event once while the room is in memory:
   * room-hours.ts `RecentIds`); what they add to each day reaches D1's daily rows at the room's
   * next flush (within LIMITS.rollUpFlushMs).
   */
  async rollUp(videoId: string, events: readonly HourEvent[]): Promise<void> {
    this.remember(videoId);
    if (!this.hours.add(events)) return;
    // The flush's alarm also sets the next expiry (alarm(): expireMarks after the flush).
    await this.alarmWithin(LIMITS.rollUpFlushMs);
  }

  /**
   * What trending scores the video by: its hours since `fromHour` (every region), and its
   * distinct viewers since then, counted up to `cap`, globally and in each country whose
   * hours hold at least `cap` views (fewer views means fewer viewers: no need to count).
   */
  async trendingActivity(
    videoId: string,
    fromHour: number,
    cap: number,
  ): Promise<{ hours: HourRow[]; viewers: Record<string, number> }> {
    this.remember(videoId);
    const hours = this.hours.since(fromHour);
    const views = new Map<string, number>();
    for (const h of hours) {
      for (const region of [GLOBAL_REGION, h.region]) views.set(region, (views.get(region) ?? 0) + h.views);
    }
    const regions = [...views].filter(([region, n]) => n >= cap && (region === GLOBAL_REGION || isCountry(region)));
    const counts = await this.viewers(
      videoId,
      fromHour,
      regions.map(([region]) => region),
      cap,
    );
    return { hours, viewers: Object.fromEntries(regions.map(([region], i) => [region, counts[i] ?? 0])) };
  }

  // --- co-views ---

  /**
   * One co-view with each of `others` at `at` for the watch event `eventId` (again: nothing);
   * the video's co-view total reaches D1 with the next counters flush, within an hour.
   */
  async addCoViews(videoId: string, others: readonly string[], at: number, eventId: string): Promise<void> {
    this.remember(videoId);
    const added = this.coViewTable.add(others, at, eventId);
    if (added === undefined) return;
    const pending = this.ctx.storage.kv.get<number>("co_view_pending");
    this.ctx.storage.kv.put("co_view_pending", pending === undefined ? added : addLogs(pending, added));
    await this.alarmWithin(LIMITS.coViewFlushMs);
  }

  /** The `limit` videos most co-viewed with this one, with their counts as of `now`. */
  async coViews(videoId: string, limit: number, now: number): Promise<CoViewPair[]> {
    this.remember(videoId);
    return this.coViewTable.top(limit, now);
  }

  /** Relays processing status to the uploader's open page. */
  async publishStatus(videoId: string, status: StatusUpdate): Promise<void> {
    this.remember(videoId);
    const { status: s, progress, playable } = status;
    this.queued.push({ message: { type: "status", video_id: videoId, status: s, progress, playable } });
    this.scheduleTick();
  }

  /** An auto caption track started, is ready or failed: the watchers' and the owner's pages hear it. */
  async publishCaptions(videoId: string, update: CaptionsUpdate): Promise<void> {
    this.remember(videoId);
    const { language, status } = update;
    this.queued.push({ message: { type: "captions", video_id: videoId, source: "auto", language, status } });
    this.scheduleTick();
  }

  /** The alarm finishes what a tick may not have (an eviction drops timers): at most this far away. */
  private alarmWithin(ms: number) {
    return this.alarmBy(Date.now() + ms);
  }

  /** The alarm at `at` (ms since the epoch) at the latest. */
  private async alarmBy(at: number) {
    const due = await this.ctx.storage.getAlarm();
    if (due === null || due > at) await this.ctx.storage.setAlarm(at);
  }

  /** Flushes comments not yet in D1 and pending counter deltas; delivers what waits. */
  override async alarm(): Promise<void> {
    await this.flushComments();
    await this.tickUnlessTimed();
    const pending = this.pending();
    const coViewLog = this.ctx.storage.kv.get<number>("co_view_pending");
    const hours = this.hours.unflushed();
    const counted = Object.values(pending).some((n) => n !== 0);
    if ((counted || coViewLog !== undefined || hours.length) && this.videoId) {
      const base = await this.base();
      await flushRoom(database(this.env.DB), this.videoId, {
        counts: pending,
        coViewLog,
        watchSeconds: hours.reduce((n, h) => n + h.watchSeconds, 0),
        at: Date.now(),
      });
      // In one synchronous stretch, exactly what was flushed leaves the pending sums: a bump,
      // co-view or roll-up that landed during the flush stays for the next one.
      const left = this.pending();
      for (const key of Object.keys(ZERO) as (keyof Totals)[]) {
        base[key] += pending[key];
        left[key] -= pending[key];
      }
      this.ctx.storage.kv.put("base", base);
      if (Object.values(left).some((n) => n !== 0)) this.ctx.storage.kv.put("pending", left);
      else this.ctx.storage.kv.delete("pending");
      const coViewsNow = this.ctx.storage.kv.get<number>("co_view_pending");
      if (coViewLog !== undefined && coViewsNow !== undefined) {
        if (coViewsNow <= coViewLog) this.ctx.storage.kv.delete("co_view_pending");
        else this.ctx.storage.kv.put("co_view_pending", subtractLogs(coViewsNow, coViewLog));
      }
      this.hours.flushed(hours);
      if (counted) {
        this.countersDirty = true;
        await this.tickUnlessTimed();
      }
    }
    // After the flush: an hour goes only once its sums are in D1.
    await this.expireMarks();
    // Events that were queued in memory when the object was evicted: redelivered from the backlog.
    this.redeliverFromBacklog();
  }

  /** After a restart, events stamped but never delivered go out again from the backlog (by seq). */
  private redeliverFromBacklog() {
    const delivered = this.ctx.storage.kv.get<number>("delivered") ?? 0;
    // Nothing stamped since the last delivery, or a tick is taking it (or about to).
    if (delivered >= this.seq || this.queued.length || this.ticking) return;
    const rows = this.sql
      .exec<{ body: string }>("SELECT body FROM events WHERE seq > ? ORDER BY seq", delivered)
      .toArray();
    for (const r of rows) this.queued.push({ message: JSON.parse(r.body) as ServerMessage });
    if (rows.length) this.scheduleTick();
  }

  // --- comments ---

  private lastCommentAt = 0;

  /** The live limits: closed or subscribers-only, slow mode, and each user's bucket (burst 3, then one per 2 s). */
  private admit(draft: CommentDraft, now: number): AddCommentResult | undefined {
    const settings = this.settingsNow();
    if (draft.privileged) return undefined;
    if (settings.comments === "closed") return { ok: false, reason: "comments_closed" };
    if (settings.comments === "subscribers" && !draft.subscriber) return { ok: false, reason: "subscribers_only" };
    const row = this.sql
      .exec<{ tokens: number; at: number; last: number }>(
        "SELECT tokens, at, last FROM buckets WHERE user_id = ?",
        draft.userId,
      )
      .toArray()[0];
    if (row && settings.slow_mode_seconds > 0) {
      const wait = row.last + settings.slow_mode_seconds * 1000 - now;
      if (wait > 0) return { ok: false, reason: "slow_mode", retryAfterSeconds: Math.ceil(wait / 1000) };
    }
    const tokens = Math.min(
      LIMITS.bucketBurst,
      (row?.tokens ?? LIMITS.bucketBurst) + (now - (row?.at ?? now)) / LIMITS.bucketRefillMs,
    );
    if (tokens < 1) {
      return {
        ok: false,
        reason: "rate_limited",
        retryAfterSeconds: Math.ceil(((1 - tokens) * LIMITS.bucketRefillMs) / 1000),
      };
    }
    this.sql.exec(
      `INSERT INTO buckets (user_id, tokens, at, last) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET tokens = excluded.tokens, at = excluded.at, last = excluded.last`,
      draft.userId,
      tokens - 1,
      now,
      now,
    );
    return undefined;
  }

  /**
   * Accepts a checked comment (spec: Comments Flow steps 2-4) under the live limits: stamped
   * with its time and seq, kept in this object's SQLite at once (durable before the answer),
   * written to D1 with the tick's others, and announced as `comment_added` in seq order. A
   * reply whose parent is gone is refused.
   */
  async addComment(videoId: string, draft: CommentDraft): Promise<AddCommentResult> {
    this.remember(videoId);
    const now = Date.now();
    const refused = this.admit(draft, now);
    if (refused) return refused;
    let replyTo: string | undefined;
    if (draft.parentId) {
      const waiting = this.pendingComment(draft.parentId);
      if (waiting) replyTo = waiting.row.userId;
      else {
        const parent = await findComment(this.comments, draft.parentId);
        if (!parent || parent.videoId !== videoId || parent.deleted) return { ok: false, reason: "parent_gone" };
        replyTo = parent.userId;
      }
    }
    // Stamped after the last await: strictly increasing in the order they are stored and announced.
    const createdAt = Math.max(Date.now(), this.lastCommentAt + 1);
    this.lastCommentAt = createdAt;
    const row: NewComment = {
      id: draft.id,
      videoId,
      parentId: draft.parentId,
      userId: draft.userId,
      content: draft.content,
      status: draft.status,
      createdAt: new Date(createdAt),
    };
    const comment = toComment({ ...row, username: draft.username, deleted: false, replyCount: 0 });
    if (draft.status === "held") {
      // Held by the channel's rules: stored at once (after the comments waiting, so a parent
      // among them is there), neither sequenced nor announced nor counted until approved.
      await this.serially(async () => {
        await this.flushOnce();
        await this.storeComments([{ ...row, username: draft.username }]);
      });
      return { ok: true, comment, seq: 0 };
    }
    const message = this.sequence(
      (seq) => ({ type: "comment_added", video_id: videoId, comment, action: "add", seq }),
      { author: draft.userId, replyTo, priority: draft.privileged },
    );
    const pending: PendingComment = {
      row: { ...row, createdAt: new Date(createdAt) },
      username: draft.username,
      privileged: draft.privileged,
      replyTo,
    };
    this.sql.exec("INSERT INTO pending_comments (seq, body) VALUES (?, ?)", message.seq, JSON.stringify(pending));
    this.countRate(now);
    // Counted towards trending here, in the hour it was stamped, where a `comment` watch event
    // went through the queue to this same room before: one message and one call fewer a comment.
    this.hours.addComment(Math.floor(createdAt / 3600_000), draft.region ?? UNKNOWN_REGION);
    await this.alarmWithin(LIMITS.tickMs * 5);
    this.scheduleTick();
    await this.bump(videoId, { comments: 1 });
    return { ok: true, comment, seq: message.seq };
  }

  private pendingComment(commentId: string): PendingComment | undefined {
    for (const { body } of this.sql.exec<{ body: string }>("SELECT body FROM pending_comments")) {
      const p = JSON.parse(body) as PendingComment;
      if (p.row.id === commentId) return p;
    }
    return undefined;
  }

  /**
   * The video's owner approved a held comment: it is published (and counted in its parent) in
   * D1, then sequenced and announced like a new one, and counted towards trending in `region`
   * (the approval's). Undefined when it is no longer there.
   */
  async approveComment(videoId: string, commentId: string, region = UNKNOWN_REGION): Promise<CommentOut | undefined> {
    this.remember(videoId);
    const done = await this.serially(async () => {
      const before = await findComment(this.comments, commentId);
      if (!before || before.deleted) return undefined;
      if (before.status !== "held") return { row: before, now: false };
      const row = await publishComment(this.comments, commentId);
      return row && !row.deleted ? { row, now: true } : undefined;
    });
    if (!done) return undefined;
    const { row } = done;
    const comment = toComment(row);
    if (!done.now) return comment;
    const replyTo = row.parentId ? (await findComment(this.comments, row.parentId))?.userId : undefined;
    this.sequence((seq) => ({ type: "comment_added", video_id: videoId, comment, action: "add", seq }), {
      author: row.userId,
      replyTo,
      priority: false,
    });
    this.hours.addComment(Math.floor(Date.now() / 3600_000), region);
    this.scheduleTick();
    await this.bump(videoId, { comments: 1 });
    return comment;
  }

  /** Deletes a comment (the caller checked who may) and tells watchers; false if it was gone. */
  async removeComment(videoId: string, commentId: string): Promise<boolean> {
    this.remember(videoId);
    // Comments still waiting go to D1 first: a reply among them turns this delete into a stub.
    const status = await this.serially(async () => {
      await this.flushOnce();
      return deleteComment(this.comments, commentId);
    });
    await this.announceGone(videoId, commentId, status);
    return status !== undefined;
  }

  /** A published comment that went is announced and taken off the count; a held one was never either. */
  private async announceGone(videoId: string, commentId: string, status: string | undefined) {
    if (status !== "published") return;
    this.sequence((seq) => ({ type: "comment_deleted", video_id: videoId, comment_id: commentId, seq }));
    this.scheduleTick();
    await this.bump(videoId, { comments: -1 });
  }

  /**
   * A watcher blocked (or unblocked) someone: the relays holding their sockets skip (or
   * deliver again) that user's comments from the next tick on.
   */
  async viewerBlocks(videoId: string, viewerId: string, blockedId: string, blocked: boolean): Promise<void> {
    this.remember(videoId);
    await this.everyRelay((relay) => relay.viewerBlocks(viewerId, blockedId, blocked));
  }

  /**
   * A moderator removes a comment: its text goes and its place stays as a stub for its replies;
   * watchers are told and the count follows. False when it was not there (or removed already).
   */
  async moderatorRemove(videoId: string, commentId: string): Promise<boolean> {
    this.remember(videoId);
    const status = await this.serially(async () => {
      await this.flushOnce();
      const found = await findComment(this.comments, commentId);
      if (!found || found.deleted) return undefined;
      await markCommentRemoved(this.comments, commentId);
      return found.status;
    });
    await this.announceGone(videoId, commentId, status);
    return status !== undefined;
  }

  // --- settings and automatic slow mode ---

  private settingsNow(): LiveSettings {
    const saved = this.ctx.storage.kv.get<LiveSettings & { auto_until?: number }>("settings");
    if (!saved) return DEFAULT_SETTINGS;
    if (saved.auto_until && saved.auto_until < Date.now()) {
      const { auto_until: _, ...rest } = saved;
      return { ...rest, slow_mode_seconds: this.ctx.storage.kv.get<number>("owner_slow") ?? 0 };
    }
    return { slow_mode_seconds: saved.slow_mode_seconds, comments: saved.comments };
  }

  async settings(videoId: string): Promise<LiveSettings> {
    this.remember(videoId);
    return this.settingsNow();
  }

  /** The owner's settings: a field left out keeps its value; pushed to the room as `settings`. */
  async updateSettings(videoId: string, change: Partial<LiveSettings>): Promise<LiveSettings> {
    this.remember(videoId);
    const next = { ...this.settingsNow(), ...change };
    this.ctx.storage.kv.put("settings", next);
    this.ctx.storage.kv.put("owner_slow", next.slow_mode_seconds);
    this.announceSettings(videoId, next);
    return next;
  }

  private announceSettings(videoId: string, s: LiveSettings) {
    this.sequence((seq) => ({
      type: "settings",
      video_id: videoId,
      slow_mode_seconds: s.slow_mode_seconds,
      comments: s.comments,
      seq,
    }));
    this.scheduleTick();
  }

  /** Accepted comments per second of the last few seconds; held above the threshold, slow mode turns on by itself. */
  private rate: RateLog = [];

  private countRate(now: number) {
    this.rate = countSecond(this.rate, now, LIMITS.autoSlowAfterSeconds);
    const current = this.settingsNow();
    if (current.slow_mode_seconds >= LIMITS.autoSlowSeconds) return;
    if (!heldAbove(this.rate, now, LIMITS.autoSlowRate, LIMITS.autoSlowAfterSeconds)) return;
    const next = { ...current, slow_mode_seconds: LIMITS.autoSlowSeconds, auto_until: now + 5 * 60_000 };
    this.ctx.storage.kv.put("settings", next);
    this.announceSettings(this.videoId, { slow_mode_seconds: next.slow_mode_seconds, comments: next.comments });
  }
}
