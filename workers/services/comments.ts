import type { AddCommentResult, CommentDraft } from "../durable-objects/video-room-protocol";
import type { AuthUser, Database } from "../env";
import { forbidden, notFound, problem, validationFailed } from "../lib/errors";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import {
  type CommentBody,
  type CommentList,
  type CommentOut,
  type CommentsQuery,
  toComment,
} from "../schemas/comments";
import * as store from "../storage/comments";
import { CACHED_COMMENT_LIMIT, cached, cacheKeys, purgeComments } from "../storage/edge-cache";
import { rememberRoomMember } from "../storage/moderation";
import { subscribesTo } from "../storage/subscriptions";
import { hasRole } from "./moderation";
import { DUPLICATE_WINDOW_MS, rejected, screenText } from "./screening";
import { accessOf, assertVisible, isVisible } from "./videos";

/** Seed: "Cache first page of comments (5 minutes)"; every add and delete purges it. */
export const COMMENT_PAGE_CACHE_SECONDS = 300;

export interface CommentDeps {
  db: Database;
  /** The video's room: it stores comment writes in order and announces them live. */
  room(videoId: string): {
    addComment(draft: CommentDraft): Promise<AddCommentResult>;
    /** Resolves once the comment stamped `seq` is in D1 (the room writes a tick's comments in one batch). */
    committed(seq: number): Promise<void>;
    removeComment(commentId: string): Promise<boolean>;
    /** Hands a WebSocket upgrade to the room, with the signed-in viewer. */
    join(request: Request, viewerId?: string): Promise<Response>;
  };
  /** Counts a new comment towards trending (a `comment` watch event); optional for callers that do not. */
  commented?(videoId: string, userId: string, now: Date): Promise<void>;
}

/** The room's refusal as the problem a client gets. */
function refusedBy(result: Extract<AddCommentResult, { ok: false }>, parentKnown: boolean) {
  switch (result.reason) {
    case "parent_gone":
      return badParent(parentKnown ? "that comment was deleted" : "must be a comment on this video");
    case "comments_closed":
      return problem("comments_closed", { detail: "The owner closed the comments of this video." });
    case "subscribers_only":
      return problem("subscribers_only", { detail: "Only the channel's subscribers may comment now." });
    case "rate_limited":
    case "slow_mode": {
      const wait = String(result.retryAfterSeconds);
      const detail =
        result.reason === "slow_mode"
          ? `Slow mode: one comment every few seconds; try again in ${wait} s.`
          : `Too many comments on this video at once; try again in ${wait} s.`;
      return problem(result.reason, { detail, headers: { "Retry-After": wait } });
    }
  }
}

const badParent = (reason: string) =>
  validationFailed([{ name: "parent_id", reason }], "The reply's parent is not valid.");

/**
 * Posts a comment or a reply (spec: Comments Flow): visibility, moderation (profanity, link
 * floods, the same text again), the parent on the same video; then the room stores it and
 * pushes `comment_added` to every watcher, and the cached first pages go.
 */
export async function postComment(
  deps: CommentDeps,
  videoId: string,
  user: AuthUser,
  body: CommentBody,
  now = new Date(),
): Promise<CommentOut> {
  const access = await accessOf(deps.db, videoId);
  assertVisible(access, user);
  const content = body.content;
  screenText(content);
  const parentId = body.parent_id ?? null;
  const [parent, duplicate] = await Promise.all([
    parentId ? store.findComment(deps.db, parentId) : undefined,
    store.hasRecentDuplicate(deps.db, user.id, content, new Date(now.getTime() - DUPLICATE_WINDOW_MS)),
  ]);
  // A parent not in D1 yet may still be waiting in the room (a reply to a comment of the last
  // tick): the room has the last word on it.
  if (parent && parent.videoId !== videoId) throw badParent("must be a comment on this video");
  if (parent?.deleted) throw badParent("that comment was deleted");
  if (duplicate) throw rejected("duplicate", "You posted the same comment moments ago.");
  const draft = {
    id: newId(),
    parentId,
    userId: user.id,
    username: user.username,
    content,
    privileged: access.owner_id === user.id || hasRole(user, "moderator"),
    subscriber: false,
  };
  const room = deps.room(videoId);
  let result = await room.addComment(draft);
  // Subscribers-only is rare: the subscription is read only when the room asks for it.
  if (!result.ok && result.reason === "subscribers_only" && (await subscribesTo(deps.db, user.id, access.owner_id))) {
    result = await room.addComment({ ...draft, subscriber: true });
  }
  if (!result.ok) throw refusedBy(result, parent !== undefined);
  // Accepted and durable in the room; in D1 with its tick's batch, which the answer waits for
  // (the author's next read of the list has it, and the cached pages are purged after the row
  // is there). If the room restarts meanwhile, its alarm writes the comment all the same.
  await room
    .committed(result.seq)
    .catch((err: unknown) =>
      log("warn", "comment accepted, its flush not awaited", { video_id: videoId, error: String(err) }),
    );
  await purgeComments(videoId);
  await deps.commented?.(videoId, user.id, now);
  return result.comment;
}

type Level = Awaited<ReturnType<typeof store.topLevelPage>>;

function listOf(level: Level, page: number, limit: number): CommentList {
  const repliesOf = new Map<string, CommentOut[]>(); // each without replies of its own
  for (const reply of level.replies) {
    if (!reply.parentId) continue;
    const list = repliesOf.get(reply.parentId) ?? [];
    list.push(toComment(reply));
    repliesOf.set(reply.parentId, list);
  }
  return {
    items: level.page.map((row) => toComment(row, repliesOf.get(row.id) ?? [])),
    page,
    limit,
    total: level.total,
  };
}

/**
 * A video's top-level comments (spec: Get Comments Flow), newest or most replied first, each
 * with its first three replies and its reply count. First pages come from the edge cache.
 */
export async function listComments(db: Database, videoId: string, viewer: AuthUser | undefined, query: CommentsQuery) {
  assertVisible(await accessOf(db, videoId), viewer);
  const { page, limit, sort } = query;
  const read = async (): Promise<CommentList> =>
    listOf(await store.topLevelPage(db, videoId, { order: sort, limit, offset: (page - 1) * limit }), page, limit);
  if (page !== 1 || limit !== CACHED_COMMENT_LIMIT) return read();
  return cached(cacheKeys.comments(videoId, sort), COMMENT_PAGE_CACHE_SECONDS, read);
}

/** A comment and its video's access; one on a video the viewer may not see does not exist for them. */
async function visibleComment(db: Database, commentId: string, viewer: AuthUser | undefined) {
  const comment = await store.findComment(db, commentId);
  const access = comment && (await accessOf(db, comment.videoId));
  if (!comment || !isVisible(access, viewer)) throw notFound("Comment");
  return { comment, access };
}

/** The direct replies of a comment at any depth, oldest first, each with its own first replies. */
export async function listReplies(
  db: Database,
  commentId: string,
  viewer: AuthUser | undefined,
  query: { page: number; limit: number },
) {
  await visibleComment(db, commentId, viewer);
  const { page, limit } = query;
  return listOf(
    await store.repliesPage(db, commentId, { order: "thread", limit, offset: (page - 1) * limit }),
    page,
    limit,
  );
}

/** Deletes a comment: its author or the video's owner may (seed: moderation by the owner). */
export async function deleteComment(deps: CommentDeps, commentId: string, user: AuthUser): Promise<void> {
  const { comment, access } = await visibleComment(deps.db, commentId, user);
  if (comment.deleted) throw notFound("Comment");
  if (comment.userId !== user.id && access.owner_id !== user.id) {
    throw forbidden("Only the comment's author or the video's owner may delete it.");
  }
  if (!(await deps.room(comment.videoId).removeComment(commentId))) throw notFound("Comment");
  await purgeComments(comment.videoId);
}

/** Joins the video's live room (WebSocket upgrade); a video the viewer may not see has no room for them. */
export async function joinRoom(
  deps: CommentDeps,
  videoId: string,
  viewer: AuthUser | undefined,
  request: Request,
): Promise<Response> {
  assertVisible(await accessOf(deps.db, videoId), viewer);
  // Remembered so that a suspension can close the viewer's sockets in this room.
  if (viewer) await rememberRoomMember(deps.db, viewer.id, videoId, new Date());
  return deps.room(videoId).join(request, viewer?.id);
}
