import type { CommentDraft, CounterDelta, StatusUpdate } from "../durable-objects/video-room-protocol";
import type { AuthUser, Database } from "../env";
import { accessOf, assertVisible } from "./videos";

export type { CommentDraft, CounterDelta, StatusUpdate };

/** A video's room (one Durable Object per video, named by its id), called by RPC. */
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

export type Room = ReturnType<typeof roomOf>;

/** Joins the video's live room (WebSocket upgrade); a video the viewer may not see has no room for them. */
export async function joinRoom(
  deps: { db: Database; room(videoId: string): Pick<Room, "join"> },
  videoId: string,
  viewer: AuthUser | undefined,
  request: Request,
): Promise<Response> {
  assertVisible(await accessOf(deps.db, videoId), viewer);
  return deps.room(videoId).join(request);
}
