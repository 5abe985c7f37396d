import type { HourEvent } from "../durable-objects/room-hours";
import {
  type CaptionsUpdate,
  CLOSE_ROOM_FULL,
  type CommentDraft,
  type CounterDelta,
  type LiveSettings,
  type StatusUpdate,
  type ViewMark,
} from "../durable-objects/video-room-protocol";
import type { CoViewStore } from "../storage/signals";

/**
 * A video's live side, called by RPC: its hub (`VideoRoom`, named by the video id: the only
 * writer) and, for joins, the relay (`RoomRelay`, `{video}:r{k}`) the hub assigns. The one
 * place that turns a video id into those stubs.
 */
export function roomOf(env: Env, videoId: string) {
  const hub = env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));
  return {
    bump: (delta: CounterDelta) => hub.bump(videoId, delta),
    /** The video's view marks (one per viewer and hour) and the views they count. */
    markView: (mark: ViewMark) => hub.markView(videoId, mark),
    viewers: (fromHour: number, regions: readonly string[], cap: number) =>
      hub.viewers(videoId, fromHour, regions, cap),
    /** The video's hourly activity (room-hours.ts): events rolled up once, trending's read. */
    rollUp: (events: readonly HourEvent[]) => hub.rollUp(videoId, events),
    trendingActivity: (fromHour: number, cap: number) => hub.trendingActivity(videoId, fromHour, cap),
    /** The video's top co-viewed pairs (co-views.ts) and their total, flushed with the counters. */
    addCoViews: (others: readonly string[], at: number, eventId: string) =>
      hub.addCoViews(videoId, others, at, eventId),
    coViews: (limit: number, now: number) => hub.coViews(videoId, limit, now),
    publishStatus: (status: StatusUpdate) => hub.publishStatus(videoId, status),
    publishCaptions: (update: CaptionsUpdate) => hub.publishCaptions(videoId, update),
    addComment: (draft: CommentDraft) => hub.addComment(videoId, draft),
    committed: (seq: number) => hub.committed(videoId, seq),
    removeComment: (commentId: string) => hub.removeComment(videoId, commentId),
    approveComment: (commentId: string, region?: string) => hub.approveComment(videoId, commentId, region),
    /** A watcher's blocks changed: their sockets skip (or get again) that user's comments from the next tick. */
    viewerBlocks: (viewerId: string, blockedId: string, blocked: boolean) =>
      hub.viewerBlocks(videoId, viewerId, blockedId, blocked),
    /** A moderator removes a comment (a stub stays for its replies); false when it was gone. */
    moderatorRemove: (commentId: string) => hub.moderatorRemove(videoId, commentId),
    close: (reason: string) => hub.closeRoom(videoId, reason),
    closeViewer: (userId: string, reason: string) => hub.closeViewer(videoId, userId, reason),
    settings: () => hub.settings(videoId),
    updateSettings: (change: Partial<LiveSettings>) => hub.updateSettings(videoId, change),
    eventsAfter: (after: number, limit: number) => hub.eventsAfter(videoId, after, limit),
    /**
     * The WebSocket upgrade: the hub picks a relay with room and the socket joins it, with
     * the signed-in viewer (checked by the Worker; a client's own `viewer` is dropped) and
     * the mode it asked for (`batch`, `view`). A full room answers a socket closed with 1013.
     */
    join: async (request: Request, viewerId?: string) => {
      const k = await hub.assignRelay(videoId);
      if (k === null) return closedSocket(CLOSE_ROOM_FULL, "room full");
      const url = new URL(request.url);
      for (const name of ["video_id", "viewer", "relay", "blocked"]) url.searchParams.delete(name);
      url.searchParams.set("video_id", videoId);
      url.searchParams.set("relay", String(k));
      if (viewerId) url.searchParams.set("viewer", viewerId);
      const relay = env.ROOM_RELAY.get(env.ROOM_RELAY.idFromName(`${videoId}:r${k}`));
      return relay.fetch(new Request(url, request));
    },
  };
}

/** The co-views of every video, each kept by its room. */
export function coViewStore(env: Env): CoViewStore {
  return {
    add: (videoId, others, at, eventId) => roomOf(env, videoId).addCoViews(others, at, eventId),
    top: (videoId, limit, now) => roomOf(env, videoId).coViews(limit, now),
  };
}

/** An accepted socket closed at once: how a client learns that the room cannot take it. */
function closedSocket(code: number, reason: string): Response {
  const pair = new WebSocketPair();
  const [client, server] = Object.values(pair) as [WebSocket, WebSocket];
  server.accept();
  server.close(code, reason);
  return new Response(null, { status: 101, webSocket: client });
}
