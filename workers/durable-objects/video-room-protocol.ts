// The live room's wire messages (docs/api.md, "Live room") and its RPC shapes.
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

export interface StatusUpdate {
  status: string;
  progress: number;
  playable: boolean;
  stage?: string;
}

/** A checked comment for the room to store and announce; the room stamps its time. */
export interface CommentDraft {
  id: string;
  parentId: string | null;
  userId: string;
  username: string;
  content: string;
  /** `held` (the channel's rules held it): stored, but neither announced nor counted. */
  status: CommentStatus;
}

export type AddCommentResult = { ok: true; comment: CommentOut } | { ok: false; reason: "parent_gone" };

/** What the server sends. */
export type ServerMessage =
  | { type: "comment_added"; video_id: string; comment: CommentOut; action: "add" }
  | { type: "comment_deleted"; video_id: string; comment_id: string }
  | ({ type: "counters"; video_id: string } & Counters)
  | { type: "status"; video_id: string; status: string; progress: number; playable: boolean }
  | { type: "pong" }
  | { type: "error"; code: string; message: string };

/** Bounds: a room past them says so (close code 1013, "try again later") rather than strain. */
export const LIMITS = {
  /** Default for the ROOM_MAX_SOCKETS setting. */
  maxSockets: 5000,
  maxMessageBytes: 4096,
  messagesPerSecond: 10,
  /** Counters go to watchers at most this often, and in rooms of n watchers at most every n ms up to maxBroadcastEveryMs. */
  broadcastEveryMs: 250,
  maxBroadcastEveryMs: 1000,
  /** Pending counter deltas are flushed to D1 this long after the first one. */
  flushAfterMs: 2000,
} as const;

export const CLOSE_ROOM_FULL = 1013;
export const CLOSE_TOO_CHATTY = 1008;
/** The video was blocked by a moderator (HTTP's 451 in the private-use range). */
export const CLOSE_VIDEO_BLOCKED = 4451;
/** The viewer's account was suspended (HTTP's 401). */
export const CLOSE_SUSPENDED = 4401;
