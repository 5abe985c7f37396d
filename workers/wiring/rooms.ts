import type { CommentDraft, CounterDelta, StatusUpdate } from "../durable-objects/video-room-protocol";

/**
 * A video's room (one `VideoRoom` Durable Object per video, named by its id), called by RPC:
 * the one place that turns a video id into its room's stub.
 */
export function roomOf(env: Env, videoId: string) {
  const stub = env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));
  return {
    bump: (delta: CounterDelta) => stub.bump(videoId, delta),
    publishStatus: (status: StatusUpdate) => stub.publishStatus(videoId, status),
    addComment: (draft: CommentDraft) => stub.addComment(videoId, draft),
    removeComment: (commentId: string) => stub.removeComment(videoId, commentId),
    approveComment: (commentId: string) => stub.approveComment(videoId, commentId),
    /** A watcher's blocks changed: their sockets here filter accordingly from the next comment. */
    viewerBlocks: (viewerId: string, blockedId: string, blocked: boolean) =>
      stub.viewerBlocks(videoId, viewerId, blockedId, blocked),
    announceRemoved: (commentId: string) => stub.announceRemoved(videoId, commentId),
    close: (reason: string) => stub.closeRoom(videoId, reason),
    closeViewer: (userId: string, reason: string) => stub.closeViewer(videoId, userId, reason),
    /** The WebSocket upgrade, with the signed-in viewer (checked by the Worker) for the room to tag the socket. */
    join: (request: Request, viewerId?: string) => {
      const url = new URL(request.url);
      url.searchParams.set("video_id", videoId);
      url.searchParams.delete("viewer");
      if (viewerId) url.searchParams.set("viewer", viewerId);
      return stub.fetch(new Request(url, request));
    },
  };
}
