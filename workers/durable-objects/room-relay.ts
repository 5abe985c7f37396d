import { DurableObject } from "cloudflare:workers";
import { log } from "../lib/log";
import { database } from "../storage/db";
import { blockedIdsOf } from "../storage/user-blocks";
import { batchFrame, eventsFor, seqRange, type Viewer } from "./live-sampling";
import {
  CLOSE_SUSPENDED,
  CLOSE_TOO_CHATTY,
  CLOSE_VIDEO_BLOCKED,
  ClientMessage,
  LIMITS,
  type RelayDelivery,
  type ServerMessage,
  type SocketMode,
} from "./video-room-protocol";

/** Per-socket state lives in the socket's attachment (at most 2 KiB), which survives hibernation. */
interface Attachment {
  viewer?: string;
  mode: SocketMode;
  windowStart: number;
  messages: number;
}

const viewerTag = (userId: string) => `u:${userId}`;
const CLOSE_MESSAGES: Record<string, string> = {
  video_blocked: "This video was blocked by a moderator.",
  account_suspended: "Your account is suspended.",
};

/**
 * Holds up to ROOM_RELAY_SOCKETS of one video's watchers (named `{video}:r{k}`, joins routed
 * by the Worker as the hub assigns them). It never writes: the hub pushes it one RPC per
 * tick, and it turns that into one frame per socket, built once per kind of socket (batch
 * or not, top or all) and once more only for a socket the tick concerns personally (a reply
 * to its viewer, a comment by someone its viewer blocked). Hibernation API only: an idle
 * relay costs nothing and keeps its sockets.
 */
export class RoomRelay extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
    // Whom each signed-in watcher here blocked, while they have a socket here: a tick looks up
    // its comments' authors by index, so filtering costs nothing when nobody here blocked
    // them, and survives hibernation (attachments hold 2 KiB, too little for a list).
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS viewer_blocks (
         viewer_id TEXT NOT NULL, blocked_id TEXT NOT NULL, PRIMARY KEY (viewer_id, blocked_id)
       ) WITHOUT ROWID;
       CREATE INDEX IF NOT EXISTS viewer_blocks_blocked ON viewer_blocks (blocked_id)`,
    );
  }

  private get place(): { videoId: string; k: number } | undefined {
    return this.ctx.storage.kv.get("place");
  }

  /**
   * The hub is told how many sockets this relay holds (its watchers count). A count is not worth
   * a failed join or close: if the hub cannot take it now (overloaded, restarting), the next
   * join, close or tick's reply brings it the right number.
   */
  private async report() {
    const place = this.place;
    if (!place) return;
    const hub = this.env.VIDEO_ROOM.get(this.env.VIDEO_ROOM.idFromName(place.videoId));
    try {
      await hub.relaySockets(place.videoId, place.k, this.ctx.getWebSockets().length);
    } catch (err) {
      log("warn", "relay count not reported", { video_id: place.videoId, relay: place.k, error: String(err) });
    }
  }

  /** `GET /api/v1/videos/{id}/live` with Upgrade: websocket, routed here by the Worker. */
  override async fetch(request: Request): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const videoId = params.get("video_id") ?? "";
    const k = Number(params.get("relay") ?? 0);
    if (!this.place) this.ctx.storage.kv.put("place", { videoId, k });
    const viewer = params.get("viewer") ?? undefined;
    const mode: SocketMode = { batch: params.get("batch") === "1", view: params.get("view") === "top" ? "top" : "all" };
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair) as [WebSocket, WebSocket];
    // Tagged with the signed-in viewer (the Worker checked the token), so a suspension or a
    // block finds their sockets. Their blocks are read before the socket is accepted: no
    // comment reaches it unfiltered.
    if (viewer) this.setViewerBlocks(viewer, await blockedIdsOf(database(this.env.DB), viewer));
    this.ctx.acceptWebSocket(server, viewer ? [viewerTag(viewer)] : []);
    server.serializeAttachment({ viewer, mode, windowStart: Date.now(), messages: 0 } satisfies Attachment);
    const counters = this.ctx.storage.kv.get<ServerMessage>("counters");
    if (counters) this.send(server, mode, [counters]);
    await this.report();
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Keeps a watcher's blocks while they have a socket here (read afresh at each join). */
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
   * user's comments from the next tick on. A viewer with no socket here is left alone: their
   * next join reads their blocks from D1.
   */
  async viewerBlocks(viewerId: string, blockedId: string, blocked: boolean): Promise<void> {
    if (this.ctx.getWebSockets(viewerTag(viewerId)).length === 0) return;
    const sql = blocked
      ? "INSERT OR IGNORE INTO viewer_blocks VALUES (?, ?)"
      : "DELETE FROM viewer_blocks WHERE viewer_id = ? AND blocked_id = ?";
    this.ctx.storage.sql.exec(sql, viewerId, blockedId);
  }

  /**
   * Who here blocked any of the tick's authors, and whom: usually nobody (one indexed lookup).
   * The authors go as one JSON array: a tick may hold more of them than a statement may bind
   * variables (100), and one `?` each failed the whole tick's delivery.
   */
  private blockersOf(authors: Set<string>): Map<string, Set<string>> {
    const blockers = new Map<string, Set<string>>();
    if (!authors.size) return blockers;
    const rows = this.ctx.storage.sql.exec<{ viewer_id: string; blocked_id: string }>(
      "SELECT viewer_id, blocked_id FROM viewer_blocks WHERE blocked_id IN (SELECT value FROM json_each(?))",
      JSON.stringify([...authors]),
    );
    for (const { viewer_id, blocked_id } of rows) {
      const set = blockers.get(viewer_id) ?? new Set<string>();
      set.add(blocked_id);
      blockers.set(viewer_id, set);
    }
    return blockers;
  }

  private send(socket: WebSocket, mode: SocketMode, messages: ServerMessage[]) {
    try {
      if (mode.batch) socket.send(JSON.stringify(batchFrame(messages, undefined, 0, mode.view === "top")));
      else for (const m of messages) socket.send(JSON.stringify(m));
    } catch {
      // A socket closing under us; its close handler tidies up.
    }
  }

  /**
   * One tick of the hub: every socket gets this tick's events as its mode asks. Frames are
   * stringified once per mode, and again only for a socket whose viewer the tick concerns
   * (a comment by someone they blocked, a reply to them or by them in top view). Answers the
   * sockets held, which the hub adds up into the watchers count.
   */
  async deliver(delivery: RelayDelivery): Promise<{ sockets: number; ms: number }> {
    const started = Date.now();
    const { events } = delivery;
    const counters = events.findLast((e) => e.message.type === "counters");
    if (counters) this.ctx.storage.kv.put("counters", counters.message);
    const authors = new Set(events.flatMap((e) => (e.author ? [e.author] : [])));
    const personal = new Set(events.flatMap((e) => [e.author, e.replyTo].filter((id): id is string => !!id)));
    const blockers = this.blockersOf(authors);
    const range = seqRange(events);
    const shared = new Map<string, string[]>();
    const sockets = this.ctx.getWebSockets();
    for (const socket of sockets) {
      const a = this.attachment(socket);
      if (!a) continue;
      const blocked = a.viewer ? blockers.get(a.viewer) : undefined;
      const concerns = !!blocked || (a.mode.view === "top" && !!a.viewer && personal.has(a.viewer));
      const viewer: Viewer = { id: a.viewer, mode: a.mode, blocked };
      const key = `${a.mode.batch ? "b" : "m"}${a.mode.view}`;
      let texts = concerns ? undefined : shared.get(key);
      if (!texts) {
        const { messages, omitted } = eventsFor(events, concerns ? viewer : { mode: a.mode });
        texts = a.mode.batch
          ? messages.length || omitted
            ? [JSON.stringify(batchFrame(messages, range, omitted, a.mode.view === "top"))]
            : []
          : messages.map((m) => JSON.stringify(m));
        if (!concerns) shared.set(key, texts);
      }
      try {
        for (const text of texts) socket.send(text);
      } catch {
        // closing
      }
    }
    return { sockets: sockets.length, ms: Date.now() - started };
  }

  /** Attachments read once per socket while the object is awake (a tick would otherwise deserialize each). */
  private readonly attachments = new WeakMap<WebSocket, Attachment>();

  private attachment(socket: WebSocket): Attachment | null {
    const known = this.attachments.get(socket);
    if (known) return known;
    const a = socket.deserializeAttachment() as Attachment | null;
    if (a) this.attachments.set(socket, a);
    return a;
  }

  /** Every socket here is told why and closed (the video was blocked). */
  async closeAll(reason: string): Promise<void> {
    this.closeSockets(this.ctx.getWebSockets(), CLOSE_VIDEO_BLOCKED, reason);
  }

  /** A suspended viewer's sockets here are told why and closed. */
  async closeViewer(userId: string, reason: string): Promise<void> {
    this.closeSockets(this.ctx.getWebSockets(viewerTag(userId)), CLOSE_SUSPENDED, reason);
  }

  private closeSockets(sockets: WebSocket[], code: number, reason: string) {
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

  override async webSocketMessage(socket: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const size = typeof raw === "string" ? raw.length : raw.byteLength;
    const state = this.attachment(socket) as Attachment;
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
    await this.report();
  }

  /** A watcher's last socket here closed: their blocks go (their next join reads them again). */
  private forgetViewer(socket: WebSocket) {
    const viewer = this.attachment(socket)?.viewer;
    if (!viewer) return;
    const open = this.ctx.getWebSockets(viewerTag(viewer)).some((s) => s !== socket && s.readyState === WebSocket.OPEN);
    if (!open) this.ctx.storage.sql.exec("DELETE FROM viewer_blocks WHERE viewer_id = ?", viewer);
  }

  override async webSocketError(): Promise<void> {
    await this.report();
  }
}
