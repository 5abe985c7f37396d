import { expect } from "vitest";
import { api, type TestUser, waitFor } from "./fixtures";

export interface Watcher {
  socket: WebSocket;
  /** Resolves with the close code once the server closes the socket. */
  closed: Promise<number>;
  messages: Record<string, any>[];
  next(type: string, match?: (m: Record<string, any>) => boolean): Promise<Record<string, any>>;
}

/** Joins a video's room the way a browser does (token in the query, since it cannot set headers). */
export async function join(
  videoId: string,
  as?: TestUser,
  mode: { batch?: boolean; view?: "top" | "all" } = {},
): Promise<Watcher> {
  const params = new URLSearchParams();
  if (as) params.set("access_token", as.token);
  if (mode.batch) params.set("batch", "1");
  if (mode.view) params.set("view", mode.view);
  const query = params.size ? `?${params}` : "";
  const res = await api(`/api/v1/videos/${videoId}/live${query}`, { headers: { Upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const socket = res.webSocket!;
  socket.accept();
  const messages: Record<string, any>[] = [];
  socket.addEventListener("message", (e) => {
    messages.push(JSON.parse(e.data as string));
  });
  const closed = new Promise<number>((resolve) => socket.addEventListener("close", (e) => resolve(e.code)));
  let seen = 0;
  return {
    socket,
    closed,
    messages,
    async next(type, match = () => true) {
      return waitFor(async () => {
        const found = messages.slice(seen).find((m) => m.type === type && match(m));
        if (found) seen = messages.indexOf(found) + 1;
        return found;
      }, `a ${type} message`);
    },
  };
}
