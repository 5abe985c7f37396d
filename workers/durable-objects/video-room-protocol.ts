// The live room's wire messages (API.md "Live room") and the RPC shapes between the Worker,
// a video's hub (VideoRoom, the only writer) and its relays (RoomRelay, which hold sockets).
import { z } from "zod";
import type { CommentOut } from "../schemas/comments";
import type { CommentStatus } from "../storage/comments";

/** What a client may send. Anything else is answered with an `error` message. */
export const ClientMessage = z.discriminatedUnion("type", [z.object({ type: z.literal("ping") })]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export interface Counters {
  views: number;
  likes: number;
  comments: number;
  viewers: number;
}

export interface CounterDelta {
  views?: number;
  likes?: number;
  dislikes?: number;
  comments?: number;
  shares?: number;
}

/** An auto caption track's progress (the room carries processing status; captions follow it). */
export interface CaptionsUpdate {
  language: string;
  status: "processing" | "ready" | "failed";
}

export interface StatusUpdate {
  status: string;
  progress: number;
  playable: boolean;
  stage?: string;
}

/** The owner's live settings (API.md: `PUT /live/settings`). */
export interface LiveSettings {
  slow_mode_seconds: number;
  comments: "open" | "subscribers" | "closed";
}
export const DEFAULT_SETTINGS: LiveSettings = { slow_mode_seconds: 0, comments: "open" };

/** A checked comment for the room to store and announce; the room stamps its time and seq. */
export interface CommentDraft {
  id: string;
  parentId: string | null;
  userId: string;
  username: string;
  content: string;
  /** The video's owner or a moderator: exempt from the live limits, always shown in top view. */
  privileged: boolean;
  /** The author subscribes to the video's channel (read only when the room is subscribers-only). */
  subscriber: boolean;
  /** `held` (the channel's rules held it): stored, but neither announced nor counted. */
  status: CommentStatus;
  /** Where the author is (a country code): a published comment counts towards trending there. */
  region?: string;
}

export type AddCommentResult =
  /** `seq` is 0 for a held comment: it is in D1 already and announced only once approved. */
  | { ok: true; comment: CommentOut; seq: number }
  | { ok: false; reason: "parent_gone" | "comments_closed" | "subscribers_only" }
  | { ok: false; reason: "rate_limited" | "slow_mode"; retryAfterSeconds: number };

/** Messages that carry `seq`: every one a client must not miss. */
export type SequencedMessage =
  | { type: "comment_added"; video_id: string; comment: CommentOut; action: "add"; seq: number }
  | { type: "comment_deleted"; video_id: string; comment_id: string; seq: number }
  | ({ type: "settings"; video_id: string; seq: number } & LiveSettings);

/** What the server sends. */
export type ServerMessage =
  | SequencedMessage
  | ({ type: "counters"; video_id: string } & Counters)
  | { type: "status"; video_id: string; status: string; progress: number; playable: boolean }
  | ({ type: "captions"; video_id: string; source: "auto" } & CaptionsUpdate)
  | { type: "pong" }
  | { type: "error"; code: string; message: string };

/** One tick's frame for `?batch=1` sockets. */
export interface BatchFrame {
  type: "batch";
  seq_from?: number;
  seq_to?: number;
  messages: ServerMessage[];
  /** Top view: the comments of this frame it left out. */
  omitted?: number;
}

/**
 * One event of a tick as the hub hands it to its relays: the message, and what top view and
 * per-socket filtering need to know of it (never sent to clients).
 */
export interface RoomEvent {
  message: ServerMessage;
  /** A comment's author (a viewer who blocked them does not get it). */
  author?: string;
  /** A reply's parent's author: top view always shows a viewer the replies to them. */
  replyTo?: string;
  /** Always in top view: the owner's or a moderator's comment. */
  priority?: boolean;
  /** Chosen by the hub's sample for top view this second. */
  sampled?: boolean;
}

/** What the hub pushes to each relay once per tick (one RPC per relay). */
export interface RelayDelivery {
  videoId: string;
  events: RoomEvent[];
}

/** How a socket asked to hear the room (`?batch=1`, `?view=top|all`). */
export interface SocketMode {
  batch: boolean;
  view: "top" | "all";
}

/** Bounds: a room past them says so (close code 1013, "try again later") rather than strain. */
export const LIMITS = {
  /** Default for the ROOM_MAX_SOCKETS setting: watchers of one video, every relay together. */
  maxSockets: 100_000,
  /** Default for the ROOM_RELAY_SOCKETS setting: sockets one relay holds (hibernated). */
  relaySockets: 2000,
  maxMessageBytes: 4096,
  messagesPerSecond: 10,
  /** A tick gathers the events of this interval into one frame per socket. */
  tickMs: 200,
  /** Counters go out at most this often. */
  countersEveryMs: 1000,
  /** Pending counter deltas are flushed to D1 this long after the first one. */
  flushAfterMs: 2000,
  /**
   * New co-views alone wait this long for their flush to D1 (the video's co-view total), so
   * that they mostly ride along with a counters flush: recommendations cache their lists for
   * an hour anyway. (`npm run sim:growth`: 2.55 flush statements a view at 2 s, 1 before.)
   */
  coViewFlushMs: 3_600_000,
  /**
   * Rolled-up watch time waits at most this long for its flush into D1's daily rows: a
   * viewing session (about 33 reports) is then about one flush, not one per report.
   */
  rollUpFlushMs: 600_000,
  /** The events kept for `GET /live/events` (at least 500, API.md). */
  backlog: 1000,
  /** Ticks in a row the hub sends a relay what it failed to take, before its sockets are left to the backlog. */
  relayRetries: 5,
  /** Top view: comments a socket sees in any one-second window, besides the always-shown ones. */
  topPerSecond: 8,
  /** Per user and video: a burst of 3, then one comment per 2 s (owner and moderators exempt). */
  bucketBurst: 3,
  bucketRefillMs: 2000,
  /**
   * Accepted comments per second that, held for `autoSlowAfterSeconds`, turn slow mode on:
   * above the 100 a second a room is built to carry and deliver (issue 19's goal; at 50,
   * bench:room's 75 and 100 a second steps were slowed down by the room itself).
   */
  autoSlowRate: 120,
  autoSlowAfterSeconds: 10,
  autoSlowSeconds: 5,
  /**
   * Hours of view marks and of hourly activity the room keeps: an hour's mark dedupes that
   * hour's views, and trending reads its 48 hours (TRENDING.windowHours) from both.
   */
  markHours: 49,
} as const;

/** A view mark: one viewer (`u:{user}` or `a:{anonymous id}`) in one hour, from one region. */
export interface ViewMark {
  viewer: string;
  /** Hours since the epoch. */
  hour: number;
  /** ISO country, `ZZ` unknown. */
  region: string;
}

export const CLOSE_ROOM_FULL = 1013;
export const CLOSE_TOO_CHATTY = 1008;
/** The video was blocked by a moderator (HTTP's 451 in the private-use range). */
export const CLOSE_VIDEO_BLOCKED = 4451;
/** The viewer's account was suspended (HTTP's 401). */
export const CLOSE_SUSPENDED = 4401;
