// The video's live room (API.md "Live room"): one WebSocket, reconnected with backoff, kept
// alive with pings. The session cookie travels with the upgrade, so no token in the URL.

export type RoomMessage =
  | { type: "comment_added"; comment: RoomComment }
  | { type: "comment_deleted"; comment_id: string }
  | { type: "counters"; views: number; likes: number; comments: number; viewers: number }
  | { type: "status"; status: string; progress: number; playable: boolean }
  | { type: "pong" }
  | { type: "error"; code: string; message: string };

export interface RoomComment {
  id: string;
  parent_id: string | null;
  user: { id: string; username: string } | null;
  content: string;
  created_at: string;
  reply_count: number;
}

/** Close codes after which the room will not take the viewer back (video blocked, account suspended). */
const FINAL_CLOSES = new Set([4451, 4401]);

export function joinRoom(videoId: string, onMessage: (message: RoomMessage) => void, onOpen?: () => void) {
  let delay = 1000;
  let ping: ReturnType<typeof setInterval> | undefined;
  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/videos/${videoId}/live`);
    socket.addEventListener("open", () => {
      delay = 1000;
      ping = setInterval(() => socket.send(JSON.stringify({ type: "ping" })), 30_000);
      onOpen?.();
    });
    socket.addEventListener("message", (event) => {
      try {
        onMessage(JSON.parse(String(event.data)) as RoomMessage);
      } catch {
        // Not JSON: not ours to handle.
      }
    });
    socket.addEventListener("close", (event) => {
      clearInterval(ping);
      // The video was blocked or the account suspended: coming back would be refused.
      if (FINAL_CLOSES.has(event.code)) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30_000);
    });
  };
  connect();
}
