import type { AddCommentResult, CommentDraft } from "../durable-objects/video-room-protocol";
import type { AuthUser, Database } from "../env";
import { forbidden, notFound, validationFailed } from "../lib/errors";
import { newId } from "../lib/ids";
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
import { DUPLICATE_WINDOW_MS, rejected, screenText } from "./screening";
import { accessOf, assertVisible, isVisible } from "./videos";

/** Seed: "Cache first page of comments (5 minutes)"; every add and delete purges it. */
export const COMMENT_PAGE_CACHE_SECONDS = 300;

export interface CommentDeps {
  db: Database;
  /** The video's room: it stores comment writes in order and announces them live. */
  room(videoId: string): {
    addComment(draft: CommentDraft): Promise<AddCommentResult>;
    removeComment(commentId: string): Promise<boolean>;
    /** Hands a WebSocket upgrade to the room, with the signed-in viewer. */
    join(request: Request, viewerId?: string): Promise<Response>;
  };
  /** Counts a new comment towards trending (a `comment` watch event); optional for callers that do not. */
  commented?(videoId: string, userId: string, now: Date): Promise<void>;
  /** A comment was stored (the video owner's webhooks hear `comment.created` or `comment.held`). */
  posted?(comment: CommentOut): Promise<void>;
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
  assertVisible(await accessOf(deps.db, videoId), user);
  const content = body.content;
  screenText(content);
  const parentId = body.parent_id ?? null;
  const [parent, duplicate] = await Promise.all([
    parentId ? store.findComment(deps.db, parentId) : undefined,
    store.hasRecentDuplicate(deps.db, user.id, content, new Date(now.getTime() - DUPLICATE_WINDOW_MS)),
  ]);
  if (parentId && (!parent || parent.videoId !== videoId)) throw badParent("must be a comment on this video");
  if (parent?.deleted) throw badParent("that comment was deleted");
  if (duplicate) throw rejected("duplicate", "You posted the same comment moments ago.");
  const result = await deps
    .room(videoId)
    .addComment({ id: newId(), parentId, userId: user.id, username: user.username, content });
  if (!result.ok) throw badParent("that comment was deleted");
  await purgeComments(videoId);
  await deps.commented?.(videoId, user.id, now);
  await deps.posted?.(result.comment);
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
