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
import {
  CACHED_COMMENT_LIMIT,
  COMMENT_PURGE_GAP_MS,
  cached,
  cacheKeys,
  purgeComments,
  purgeCommentsAfterPost,
} from "../storage/edge-cache";
import type { RoomMemory } from "../storage/history";
import { subscribesTo } from "../storage/subscriptions";
import { holds } from "./comment-rules";
import { hasRole } from "./moderation";
import { DUPLICATE_WINDOW_MS, rejected, screenText } from "./screening";
import { blockedBy, blockedByOwner } from "./user-blocks";
import { accessOf, assertVisible, isVisible } from "./videos";

/** Seed: "Cache first page of comments (5 minutes)"; every add and delete purges it. */
export const COMMENT_PAGE_CACHE_SECONDS = 300;

/**
 * How long an author reads their video's first page past the cache after commenting: well
 * over the longest a new comment's purge waits (COMMENT_PURGE_GAP_MS), so they always see it.
 */
const OWN_RECENT_MS = 10 * COMMENT_PURGE_GAP_MS;

/**
 * The catalogue (`DB`: videos, blocks, rules) and the `COMMENTS` database, where comments
 * live (issue 23; docs/capacity.md "The comments move"). The room writes comments; services
 * read them.
 */
export interface CommentStores {
  db: Database;
  comments: Database;
}

export interface CommentDeps extends CommentStores {
  /** The video's room: it stores comment writes in order and announces them live. */
  room(videoId: string): {
    addComment(draft: CommentDraft): Promise<AddCommentResult>;
    /** Resolves once the comment stamped `seq` is in D1 (the room writes a tick's comments in one batch). */
    committed(seq: number): Promise<void>;
    removeComment(commentId: string): Promise<boolean>;
    /** Publishes a held comment, announces it as new and counts it in `region`; undefined when it is gone. */
    approveComment(commentId: string, region?: string): Promise<CommentOut | undefined>;
    /** Hands a WebSocket upgrade to the room, with the signed-in viewer. */
    join(request: Request, viewerId?: string): Promise<Response>;
  };
  /** The rooms signed-in users joined lately (in each user's object). */
  joins: RoomMemory;
  /** Where the request comes from: the room counts a published comment towards trending there. */
  region?: string;
  /** Work that may finish after the answer (the request's `waitUntil`): a new comment's delayed purge. */
  later?(work: Promise<unknown>): void;
  /** A comment was stored (the video owner's webhooks hear `comment.created` or `comment.held`). */
  posted?(comment: CommentOut): Promise<void>;
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
 * floods, the same text again), the video owner's block, the parent on the same video; then
 * the room stores it and pushes `comment_added` to every watcher, and the cached first pages
 * go. A comment that meets the channel's rules (held words, links) is stored `held` instead:
 * no watcher, no count, no cache changes until the owner approves it.
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
  const own = access.owner_id === user.id;
  const { parent, duplicate, rules, blocked, ownerHearsComments } = await store.postingChecks(deps.db, deps.comments, {
    userId: user.id,
    ownerId: access.owner_id,
    content,
    since: new Date(now.getTime() - DUPLICATE_WINDOW_MS),
    parentId,
    // The owner's own comments are never held: they would approve them anyway.
    withRules: !own,
  });
  if (blocked) throw blockedByOwner();
  // A parent not in D1 yet may still be waiting in the room (a reply to a comment of the last
  // tick): the room has the last word on it.
  if (parent && parent.videoId !== videoId) throw badParent("must be a comment on this video");
  if (parent?.deleted) throw badParent("that comment was deleted");
  if (parent?.status === "held") throw badParent("that comment is held for review");
  if (duplicate) throw rejected("duplicate", "You posted the same comment moments ago.");
  const draft = {
    id: newId(),
    parentId,
    userId: user.id,
    username: user.username,
    content,
    status: holds(rules, content) ? ("held" as const) : ("published" as const),
    privileged: own || hasRole(user, "moderator"),
    subscriber: false,
    region: deps.region,
  };
  const room = deps.room(videoId);
  let result = await room.addComment(draft);
  // Subscribers-only is rare: the subscription is read only when the room asks for it.
  if (!result.ok && result.reason === "subscribers_only" && (await subscribesTo(deps.db, user.id, access.owner_id))) {
    result = await room.addComment({ ...draft, subscriber: true });
  }
  if (!result.ok) throw refusedBy(result, parent !== undefined);
  if (draft.status === "held") {
    // A held comment is in D1 already, and nobody else sees it: nothing to wait for or purge.
    // The owner's webhooks hear `comment.held`; nothing else changes until it is approved.
    if (ownerHearsComments) await deps.posted?.(result.comment);
    return result.comment;
  }
  // Accepted and durable in the room; in D1 with its tick's batch, which the answer waits for
  // (the author's next read of the list has it, and the cached pages are purged after the row
  // is there: at once, or with the next purge within a second when the room is busy). If the
  // room restarts meanwhile, its alarm writes the comment all the same.
  await room
    .committed(result.seq)
    .catch((err: unknown) =>
      log("warn", "comment accepted, its flush not awaited", { video_id: videoId, error: String(err) }),
    );
  if (deps.later) await purgeCommentsAfterPost(videoId, deps.later);
  else await purgeComments(videoId);
  if (ownerHearsComments) await deps.posted?.(result.comment);
  return result.comment;
}

function listOf(level: store.Level, page: number, limit: number): CommentList {
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
 * A list without the comments of users the viewer blocked (and so without the replies under
 * them), their inline replies included. Counts stay as everyone sees them: they are shared
 * with the cached page, and the viewer only chose not to read some of them.
 */
function withoutBlocked(list: CommentList, blocked: Set<string>): CommentList {
  if (blocked.size === 0) return list;
  const shown = (c: { user: { id: string } | null }) => !c.user || !blocked.has(c.user.id);
  return {
    ...list,
    items: list.items.filter(shown).map((c) => (c.replies ? { ...c, replies: c.replies.filter(shown) } : c)),
  };
}

/**
 * A video's top-level comments (spec: Get Comments Flow), newest or most replied first, each
 * with its first three replies and its reply count. First pages come from the edge cache,
 * shared by everyone: what differs per viewer is applied after it. A viewer with a comment
 * held on this video reads past the cache (their held comments are in their list, marked);
 * the comments of users the viewer blocked are taken out.
 */
export async function listComments(
  stores: CommentStores,
  videoId: string,
  viewer: AuthUser | undefined,
  query: CommentsQuery,
) {
  const { db } = stores;
  assertVisible(await accessOf(db, videoId), viewer);
  const { page, limit, sort } = query;
  const slice = { order: sort, limit, offset: (page - 1) * limit };
  const read = async (viewerId?: string): Promise<CommentList> =>
    listOf(await store.topLevelPage(stores.comments, videoId, slice, viewerId), page, limit);
  if (page !== 1 || limit !== CACHED_COMMENT_LIMIT) {
    // Not cached: read as this viewer at once (their held comments, if any, in place).
    const [list, blocked] = await Promise.all([read(viewer?.id), blockedBy(db, viewer?.id)]);
    return withoutBlocked(list, blocked);
  }
  const since = new Date(Date.now() - OWN_RECENT_MS);
  const [everyone, own, blocked] = await Promise.all([
    cached(cacheKeys.comments(videoId, sort), COMMENT_PAGE_CACHE_SECONDS, () => read()),
    viewer ? store.readsPastCache(stores.comments, videoId, viewer.id, since) : false,
    blockedBy(db, viewer?.id),
  ]);
  return withoutBlocked(own ? await read(viewer?.id) : everyone, blocked);
}

/**
 * A comment and its video's access; one on a video the viewer may not see does not exist for
 * them, nor does a held one for anyone but its author and the video's owner.
 */
async function visibleComment(stores: CommentStores, commentId: string, viewer: AuthUser | undefined) {
  const comment = await store.findComment(stores.comments, commentId);
  const access = comment && (await accessOf(stores.db, comment.videoId));
  if (!comment || !isVisible(access, viewer)) throw notFound("Comment");
  if (comment.status === "held" && viewer?.id !== comment.userId && viewer?.id !== access.owner_id) {
    throw notFound("Comment");
  }
  return { comment, access };
}

/** The direct replies of a comment at any depth, oldest first, each with its own first replies. */
export async function listReplies(
  stores: CommentStores,
  commentId: string,
  viewer: AuthUser | undefined,
  query: { page: number; limit: number },
) {
  const { comment } = await visibleComment(stores, commentId, viewer);
  const { page, limit } = query;
  const slice = { order: "thread" as const, limit, offset: (page - 1) * limit };
  const [level, blocked] = await Promise.all([
    store.repliesPage(stores.comments, comment.videoId, commentId, slice, viewer?.id),
    blockedBy(stores.db, viewer?.id),
  ]);
  return withoutBlocked(listOf(level, page, limit), blocked);
}

/** Deletes a comment: its author or the video's owner may (seed: moderation by the owner). */
export async function deleteComment(deps: CommentDeps, commentId: string, user: AuthUser): Promise<void> {
  const { comment, access } = await visibleComment(deps, commentId, user);
  if (comment.deleted) throw notFound("Comment");
  if (comment.userId !== user.id && access.owner_id !== user.id) {
    throw forbidden("Only the comment's author or the video's owner may delete it.");
  }
  if (!(await deps.room(comment.videoId).removeComment(commentId))) throw notFound("Comment");
  if (comment.status === "published") await purgeComments(comment.videoId);
}

/**
 * The video's owner approves a held comment: it is published, counted, announced to the room
 * as `comment_added` (and to the owner's webhooks as `comment.created`), and the cached first
 * pages go. Approving a published one answers it.
 */
export async function approveComment(deps: CommentDeps, commentId: string, user: AuthUser): Promise<CommentOut> {
  const comment = await store.findComment(deps.comments, commentId);
  const access = comment && (await accessOf(deps.db, comment.videoId));
  if (!comment || !isVisible(access, user)) throw notFound("Comment");
  // Before anything about the comment itself: to anyone but the owner, the answer is the same.
  if (access.owner_id !== user.id) throw forbidden("Only the video's owner may approve its comments.");
  if (comment.deleted) throw notFound("Comment");
  if (comment.status === "published") return toComment(comment);
  const approved = await deps.room(comment.videoId).approveComment(commentId, deps.region);
  if (!approved) throw notFound("Comment");
  await purgeComments(comment.videoId);
  await deps.posted?.(approved);
  return approved;
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
  if (viewer) await deps.joins.joined(viewer.id, videoId, new Date());
  return deps.room(videoId).join(request, viewer?.id);
}
