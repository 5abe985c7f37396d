// The video's live room (API.md "Live room"): one WebSocket in batch mode (`?batch=1`: one
// frame per tick), reconnected with backoff, kept alive with pings. The session cookie
// travels with the upgrade, so no token in the URL. Every event a client must not miss
// carries `seq`: a frame that skips seqs it does not account for (a gap), or a reconnect,
// is filled from `GET /live/events?after=`.

export type RoomMessage =
  | { type: "comment_added"; comment: RoomComment; seq?: number }
  | { type: "comment_deleted"; comment_id: string; seq?: number }
  | { type: "settings"; slow_mode_seconds: number; comments: "open" | "subscribers" | "closed"; seq?: number }
  | { type: "counters"; views: number; likes: number; comments: number; viewers: number }
  | { type: "status"; status: string; progress: number; playable: boolean }
  | { type: "pong" }
  | { type: "error"; code: string; message: string };

interface BatchFrame {
  type: "batch";
  seq_from?: number;
  seq_to?: number;
  messages: RoomMessage[];
  omitted?: number;
}

export interface RoomComment {
  id: string;
  parent_id: string | null;
  user: { id: string; username: string } | null;
  content: string;
  created_at: string;
  reply_count: number;
}

export type View = "top" | "all";

/** Close codes after which the room will not take the viewer back (video blocked, account suspended). */
const FINAL_CLOSES = new Set([4451, 4401]);
/** A reconnecting top-view client takes at most this many of the comments it missed. */
const TOP_CATCH_UP = 8;

export interface Room {
  /** Joins again in another view (top: a sample of at most 8 comments a second). */
  setView(view: View): void;
  readonly view: View;
}

export function joinRoom(
  videoId: string,
  onMessage: (message: RoomMessage) => void,
  onOpen?: () => void,
  initialView: View = "all",
): Room {
  let delay = 1000;
  let ping: ReturnType<typeof setInterval> | undefined;
  let socket: WebSocket | undefined;
  let view = initialView;
  /** The last seq this client accounted for (shown or left out); 0 until the first frame. */
  let lastSeq = 0;
  let filling: Promise<void> = Promise.resolve();

  const apply = (message: RoomMessage) => {
    if ("seq" in message && typeof message.seq === "number") {
      if (message.seq <= lastSeq) return; // already had it (a fill raced a frame)
      lastSeq = message.seq;
    }
    onMessage(message);
  };

  /** Everything after lastSeq, from the room's backlog (top view: deletions, settings and the latest few comments). */
  const fill = () => {
    const after = lastSeq;
    filling = filling.then(async () => {
      if (!after) return;
      try {
        const res = await fetch(`/api/v1/videos/${videoId}/live/events?after=${after}&limit=500`, {
          credentials: "same-origin",
        });
        if (!res.ok) return;
        const { items } = (await res.json()) as { items: RoomMessage[] };
        const comments = items.filter((m) => m.type === "comment_added");
        const keep = new Set(view === "top" ? comments.slice(-TOP_CATCH_UP) : comments);
        for (const m of items) {
          if (m.type !== "comment_added" || keep.has(m)) apply(m);
          else if (m.seq && m.seq > lastSeq) lastSeq = m.seq;
        }
      } catch {
        // The next frame or reconnect tries again.
      }
    });
    return filling;
  };

  const onFrame = async (frame: BatchFrame) => {
    const sequenced = frame.messages.filter((m) => "seq" in m && typeof m.seq === "number").length;
    if (frame.seq_from !== undefined && frame.seq_to !== undefined) {
      if (!lastSeq) lastSeq = frame.seq_from - 1;
      const missing = frame.seq_to - lastSeq - sequenced - (frame.omitted ?? 0);
      if (missing > 0 && frame.seq_from > lastSeq + 1) await fill();
    }
    for (const m of frame.messages) apply(m);
    if (frame.seq_to !== undefined && frame.seq_to > lastSeq) lastSeq = frame.seq_to;
  };

  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/videos/${videoId}/live?batch=1&view=${view}`);
    socket = ws;
    ws.addEventListener("open", () => {
      delay = 1000;
      ping = setInterval(() => ws.send(JSON.stringify({ type: "ping" })), 30_000);
      // Back after a drop: what happened meanwhile comes from the backlog.
      if (lastSeq) void fill();
      onOpen?.();
    });
    ws.addEventListener("message", (event) => {
      let data: BatchFrame | RoomMessage;
      try {
        data = JSON.parse(String(event.data)) as BatchFrame | RoomMessage;
      } catch {
        return; // Not JSON: not ours to handle.
      }
      if (data.type === "batch") void onFrame(data);
      else apply(data);
    });
    ws.addEventListener("close", (event) => {
      clearInterval(ping);
      if (socket !== ws) return; // replaced by a view change
      // The video was blocked or the account suspended: coming back would be refused.
      if (FINAL_CLOSES.has(event.code)) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30_000);
    });
  };
  connect();
  return {
    setView(next: View) {
      if (next === view) return;
      view = next;
      const old = socket;
      connect();
      old?.close(1000, "view changed");
    },
    get view() {
      return view;
    },
  };
}
