import { DurableObject } from "cloudflare:workers";
import { type CommentOut, toComment } from "../schemas/comments";
import { deleteComment, findComment, insertComment, publishComment } from "../storage/comments";
import { database } from "../storage/db";
import { blockedIdsOf } from "../storage/user-blocks";
import { addCounts, readCounts } from "../storage/videos";
import { OrderedWrites } from "./ordered-writes";
import {
  type AddCommentResult,
  CLOSE_ROOM_FULL,
  CLOSE_SUSPENDED,
  CLOSE_TOO_CHATTY,
  CLOSE_VIDEO_BLOCKED,
  ClientMessage,
  type CommentDraft,
  type CounterDelta,
  type Counters,
  LIMITS,
  type ServerMessage,
  type StatusUpdate,
} from "./video-room-protocol";

type Totals = Required<CounterDelta>;

const viewerTag = (userId: string) => `u:${userId}`;
const CLOSE_MESSAGES: Record<string, string> = {
  video_blocked: "This video was blocked by a moderator.",
  account_suspended: "Your account is suspended.",
};
const ZERO: Totals = { views: 0, likes: 0, dislikes: 0, comments: 0, shares: 0 };

/** Per-socket state lives in the socket's attachment, which survives hibernation. */
interface Attachment {
  windowStart: number;
  messages: number;
}

/**
 * One room per video (named by its id): the live side of the video. Watchers hold
 * WebSockets through the Hibernation API, so an idle room costs nothing and its sockets
 * survive the object being evicted; counters (views, likes, comments, shares) are bumped
 * here, broadcast a few times a second at most, and flushed to D1 from the alarm, which
 * keeps D1's writes to one per room per flush however busy the video is.
 */
export class VideoRoom extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
    // Whom each signed-in watcher blocked, for as long as they have a socket here: a comment's
    // author is looked up by index per broadcast, so filtering costs nothing when nobody here
    // blocked them, and survives hibernation (attachments hold 2 KiB, too little for a list).
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS viewer_blocks (
         viewer_id TEXT NOT NULL, blocked_id TEXT NOT NULL, PRIMARY KEY (viewer_id, blocked_id)
       ) WITHOUT ROWID;
       CREATE INDEX IF NOT EXISTS viewer_blocks_blocked ON viewer_blocks (blocked_id)`,
    );
  }

  private get videoId(): string {
    return this.ctx.storage.kv.get<string>("video_id") ?? "";
  }

  private remember(videoId: string) {
    if (!this.ctx.storage.kv.get("video_id")) this.ctx.storage.kv.put("video_id", videoId);
  }

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

  private broadcast(message: ServerMessage, skip?: Set<WebSocket>) {
    const text = JSON.stringify(message);
    for (const socket of this.ctx.getWebSockets()) {
      if (skip?.has(socket)) continue;
      try {
        socket.send(text);
      } catch {
        // A socket closing under us; its close handler tidies up.
      }
    }
  }

  /** A new comment goes to every watcher but those who blocked its author. */
  private announce(videoId: string, comment: CommentOut) {
    const skip = new Set<WebSocket>();
    if (comment.user) {
      const blockers = this.ctx.storage.sql.exec<{ viewer_id: string }>(
        "SELECT viewer_id FROM viewer_blocks WHERE blocked_id = ?",
        comment.user.id,
      );
      for (const { viewer_id } of blockers) {
        for (const socket of this.ctx.getWebSockets(viewerTag(viewer_id))) skip.add(socket);
      }
    }
    this.broadcast({ type: "comment_added", video_id: videoId, comment, action: "add" }, skip);
  }

  /** Keeps a watcher's blocks while they have a socket here (they are read afresh at each join). */
  private setViewerBlocks(viewerId: string, blockedIds: string[]) {
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec("DELETE FROM viewer_blocks WHERE viewer_id = ?", viewerId);
      for (const blockedId of blockedIds) {
        this.ctx.storage.sql.exec("INSERT INTO viewer_blocks VALUES (?, ?)", viewerId, blockedId);
      }
    });
  }

  /**
   * A watcher blocked (or unblocked) someone: their sockets here skip (or get again) that
   * user's comments from the next one on. A viewer with no socket here is left alone: their
   * next join reads their blocks from D1.
   */
  async viewerBlocks(videoId: string, viewerId: string, blockedId: string, blocked: boolean): Promise<void> {
    this.remember(videoId);
    if (this.ctx.getWebSockets(viewerTag(viewerId)).length === 0) return;
    const sql = blocked
      ? "INSERT OR IGNORE INTO viewer_blocks VALUES (?, ?)"
      : "DELETE FROM viewer_blocks WHERE viewer_id = ? AND blocked_id = ?";
    this.ctx.storage.sql.exec(sql, viewerId, blockedId);
  }

  /** The counts a watcher sees: stored plus not yet flushed. */
  async counters(videoId: string): Promise<Counters> {
    this.remember(videoId);
    const [base, pending] = [await this.base(), this.pending()];
    return {
      views: base.views + pending.views,
      likes: base.likes + pending.likes,
      comments: base.comments + pending.comments,
      viewers: this.ctx.getWebSockets().length,
    };
  }

  /**
   * Counters go out at most once per interval, which grows with the room (250 ms up to 1 s
   * at 1,000 watchers): every message is one frame per socket, so a big room's counters
   * must not crowd out its comments.
   */
  private broadcastInterval(): number {
    return Math.min(LIMITS.maxBroadcastEveryMs, Math.max(LIMITS.broadcastEveryMs, this.ctx.getWebSockets().length));
  }

  private async countersMessage(): Promise<ServerMessage> {
    return { type: "counters", video_id: this.videoId, ...(await this.counters(this.videoId)) };
  }

  private async sendCounters() {
    this.ctx.storage.kv.put("broadcast_at", Date.now());
    this.broadcast(await this.countersMessage());
  }

  /** The trailing broadcast of a throttled change (lost with an eviction; the next change or the flush alarm sends it). */
  private trailing: ReturnType<typeof setTimeout> | undefined;

  /** Something the counters show changed: tell watchers now (answers true), or once the interval is up. */
  private async countersChanged(): Promise<boolean> {
    const wait = (this.ctx.storage.kv.get<number>("broadcast_at") ?? 0) + this.broadcastInterval() - Date.now();
    if (wait <= 0) {
      await this.sendCounters();
      return true;
    }
    this.trailing ??= setTimeout(() => {
      this.trailing = undefined;
      void this.sendCounters();
    }, wait);
    return false;
  }

  /** Adds to the video's counters; they reach D1 at the next flush (at most a few seconds). */
  async bump(videoId: string, delta: CounterDelta): Promise<void> {
    this.remember(videoId);
    await this.base();
    const pending = this.pending();
    for (const key of Object.keys(ZERO) as (keyof Totals)[]) pending[key] += delta[key] ?? 0;
    this.ctx.storage.kv.put("pending", pending);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + LIMITS.flushAfterMs);
    await this.countersChanged();
  }

  /** Relays processing status to the uploader's open page. */
  async publishStatus(videoId: string, status: StatusUpdate): Promise<void> {
    this.remember(videoId);
    this.broadcast({
      type: "status",
      video_id: videoId,
      status: status.status,
      progress: status.progress,
      playable: status.playable,
    });
  }

  /** Comment writes: concurrent in D1, announced in the order they were stamped. */
  private readonly writes = new OrderedWrites();
  private lastCommentAt = 0;

  /**
   * Stores a checked comment (spec: Comments Flow steps 2-4) and announces it to every
   * watcher (but those who blocked its author) as `comment_added`, in the order comments were
   * stamped and so listed; the comment count follows through the counters. A held comment is
   * stored only: it is announced and counted when approved. A reply whose parent is gone is
   * refused.
   */
  async addComment(videoId: string, draft: CommentDraft): Promise<AddCommentResult> {
    this.remember(videoId);
    const published = draft.status === "published";
    const result = await this.writes.write(
      async (): Promise<AddCommentResult> => {
        // Stamped before the first await: strictly increasing in arrival order, so "newest
        // first" and the order of announcements agree even within a millisecond.
        const createdAt = new Date(Math.max(Date.now(), this.lastCommentAt + 1));
        this.lastCommentAt = createdAt.getTime();
        const db = database(this.env.DB);
        if (draft.parentId) {
          const parent = await findComment(db, draft.parentId);
          if (!parent || parent.videoId !== videoId || parent.deleted) return { ok: false, reason: "parent_gone" };
        }
        const row = {
          id: draft.id,
          videoId,
          parentId: draft.parentId,
          userId: draft.userId,
          content: draft.content,
          status: draft.status,
          createdAt,
        };
        await insertComment(db, row);
        return { ok: true, comment: toComment({ ...row, username: draft.username, deleted: false, replyCount: 0 }) };
      },
      (stored) => {
        if (stored.ok && published) this.announce(videoId, stored.comment);
      },
    );
    if (result.ok && published) await this.bump(videoId, { comments: 1 });
    return result;
  }

  /**
   * The video's owner approved a held comment: it is published (and counted in its parent)
   * and announced like a new one, in turn with the comments being written. Undefined when
   * it is no longer there.
   */
  async approveComment(videoId: string, commentId: string): Promise<CommentOut | undefined> {
    this.remember(videoId);
    let fresh = false;
    const approved = await this.writes.write(
      async () => {
        const db = database(this.env.DB);
        const before = await findComment(db, commentId);
        if (!before || before.deleted) return undefined;
        fresh = before.status === "held";
        const row = fresh ? await publishComment(db, commentId) : before;
        return row && !row.deleted ? toComment(row) : undefined;
      },
      (comment) => {
        if (comment && fresh) this.announce(videoId, comment);
      },
    );
    if (approved && fresh) await this.bump(videoId, { comments: 1 });
    return approved;
  }

  /** Deletes a comment (the caller checked who may) and tells watchers; false if it was gone. */
  async removeComment(videoId: string, commentId: string): Promise<boolean> {
    this.remember(videoId);
    // Alone: a reply being stored to this comment must land first (it turns a delete into a stub).
    const removed = await this.writes.exclusive(async () => {
      const status = await deleteComment(database(this.env.DB), commentId);
      // A held comment was never announced nor counted: nobody is told, nothing is taken off.
      if (status === "published") this.broadcast({ type: "comment_deleted", video_id: videoId, comment_id: commentId });
      return status;
    });
    if (removed === "published") await this.bump(videoId, { comments: -1 });
    return removed !== undefined;
  }

  /** A moderator removed a comment (already stored as removed): watchers are told, the count follows. */
  async announceRemoved(videoId: string, commentId: string): Promise<void> {
    this.remember(videoId);
    const removed = await findComment(database(this.env.DB), commentId);
    // A held comment was never announced nor counted.
    if (removed?.status === "held") return;
    this.broadcast({ type: "comment_deleted", video_id: videoId, comment_id: commentId });
    await this.bump(videoId, { comments: -1 });
  }

  /**
   * The video was blocked: every watcher is told why and their socket closed (4451); the
   * Worker lets nobody but the owner join again while it stays blocked.
   */
  async closeRoom(videoId: string, reason: string): Promise<void> {
    this.remember(videoId);
    this.closeAll(this.ctx.getWebSockets(), CLOSE_VIDEO_BLOCKED, reason);
  }

  /** A viewer's account was suspended: their sockets here close (4401). */
  async closeViewer(videoId: string, userId: string, reason: string): Promise<void> {
    this.remember(videoId);
    this.closeAll(this.ctx.getWebSockets(viewerTag(userId)), CLOSE_SUSPENDED, reason);
  }

  private closeAll(sockets: WebSocket[], code: number, reason: string) {
    const notice = JSON.stringify({ type: "error", code: reason, message: CLOSE_MESSAGES[reason] ?? reason });
    for (const socket of sockets) {
      try {
        socket.send(notice);
        socket.close(code, reason);
      } catch {
        // already closing
      }
    }
  }

  /** Flushes pending deltas to D1 in one statement, then tells watchers the new counts. */
  override async alarm(): Promise<void> {
    const pending = this.pending();
    if (Object.values(pending).some((n) => n !== 0) && this.videoId) {
      await addCounts(database(this.env.DB), this.videoId, pending);
      const base = await this.base();
      for (const key of Object.keys(ZERO) as (keyof Totals)[]) base[key] += pending[key];
      // Both in one synchronous stretch: no bump can land between them.
      this.ctx.storage.kv.put("base", base);
      this.ctx.storage.kv.delete("pending");
    }
    await this.sendCounters();
  }

  /** `GET /api/v1/videos/{id}/live` with Upgrade: websocket (the route checked who may join). */
  override async fetch(request: Request): Promise<Response> {
    const videoId = new URL(request.url).searchParams.get("video_id") ?? "";
    this.remember(videoId);
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair) as [WebSocket, WebSocket];
    if (this.ctx.getWebSockets().length >= (Number(this.env.ROOM_MAX_SOCKETS) || LIMITS.maxSockets)) {
      server.accept();
      server.close(CLOSE_ROOM_FULL, "room full");
      return new Response(null, { status: 101, webSocket: client });
    }
    // Tagged with the signed-in viewer (the Worker checked the token), so a suspension can find
    // their sockets, and a comment by someone they blocked can skip them. Their blocks are read
    // before the socket is accepted: no comment reaches it unfiltered.
    const viewer = new URL(request.url).searchParams.get("viewer");
    if (viewer) this.setViewerBlocks(viewer, await blockedIdsOf(database(this.env.DB), viewer));
    this.ctx.acceptWebSocket(server, viewer ? [viewerTag(viewer)] : []);
    server.serializeAttachment({ windowStart: Date.now(), messages: 0 } satisfies Attachment);
    // The joiner gets the counts at once; the others learn of one more viewer with the next
    // broadcast (a forced broadcast per join would cost n frames per joiner, n² in all).
    if (!(await this.countersChanged())) server.send(JSON.stringify(await this.countersMessage()));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(socket: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const size = typeof raw === "string" ? raw.length : raw.byteLength;
    const state = (socket.deserializeAttachment() as Attachment | null) ?? { windowStart: Date.now(), messages: 0 };
    const now = Date.now();
    if (now - state.windowStart >= 1000) Object.assign(state, { windowStart: now, messages: 0 });
    state.messages++;
    socket.serializeAttachment(state);
    if (state.messages > LIMITS.messagesPerSecond) return socket.close(CLOSE_TOO_CHATTY, "too many messages");
    const send = (m: ServerMessage) => socket.send(JSON.stringify(m));
    if (size > LIMITS.maxMessageBytes)
      return send({
        type: "error",
        code: "message_too_large",
        message: `Messages are at most ${LIMITS.maxMessageBytes} bytes.`,
      });
    let parsed: ReturnType<typeof ClientMessage.safeParse>;
    try {
      parsed = ClientMessage.safeParse(JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw)));
    } catch {
      return send({ type: "error", code: "malformed_message", message: "Messages are JSON." });
    }
    if (!parsed.success)
      return send({
        type: "error",
        code: "unknown_message",
        message: 'Send { "type": "ping" }; comments go through the REST API.',
      });
    switch (parsed.data.type) {
      case "ping":
        return send({ type: "pong" });
      default: {
        const unreachable: never = parsed.data.type;
        return unreachable;
      }
    }
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    try {
      socket.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    this.forgetViewer(socket);
    await this.countersChanged();
  }

  /** A watcher's last socket here closed: their blocks go (their next join reads them again). */
  private forgetViewer(socket: WebSocket) {
    for (const tag of this.ctx.getTags(socket)) {
      if (!tag.startsWith("u:")) continue;
      const others = this.ctx.getWebSockets(tag).filter((s) => s !== socket && s.readyState === WebSocket.OPEN);
      if (others.length === 0) this.ctx.storage.sql.exec("DELETE FROM viewer_blocks WHERE viewer_id = ?", tag.slice(2));
    }
  }

  override async webSocketError(): Promise<void> {
    await this.countersChanged();
  }
}
