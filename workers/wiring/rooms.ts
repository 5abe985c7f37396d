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
    join: (request: Request) => {
      const url = new URL(request.url);
      url.searchParams.set("video_id", videoId);
      return stub.fetch(new Request(url, request));
    },
  };
}
