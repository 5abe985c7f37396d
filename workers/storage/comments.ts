import { and, asc, count, desc, eq, gt, gte, inArray, lte, or, type SQL, sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Database } from "../env";
import { rulesOfOwnerQuery } from "./channel-moderation";
import { COMMENT_STATUSES, userBlocks, webhookEndpoints } from "./schema";

/** Replies shown under each comment of a list before "load more" (seed: first 3). */
export const INLINE_REPLIES = 3;

export type CommentStatus = (typeof COMMENT_STATUSES)[number];

export interface CommentRow {
  id: string;
  videoId: string;
  parentId: string | null;
  userId: string;
  username: string;
  content: string;
  /** `held`: waiting for the channel owner; shown to its author alone and counted nowhere. */
  status: CommentStatus;
  deleted: boolean;
  replyCount: number;
  createdAt: Date;
}

/**
 * Comments and replies, in the `COMMENTS` database (migrations/comments; issue 23,
 * docs/capacity.md "The comments move"): every function here that reads or writes comments
 * takes that database's handle. It cannot join `DB`'s `users` and `videos`, so each comment
 * carries its video's channel, its author's name (usernames never change) and whether the
 * author is suspended (kept by the suspension and its lift: `setAuthorSuspended`).
 */
export const comments = sqliteTable("comments", {
  id: text("id").primaryKey(),
  videoId: text("video_id").notNull(),
  channelId: text("channel_id").notNull(),
  parentId: text("parent_id"),
  userId: text("user_id").notNull(),
  username: text("username").notNull(),
  authorSuspended: integer("author_suspended", { mode: "boolean" }).notNull().default(false),
  content: text("content").notNull(),
  /** `held`: waiting for the channel owner's approval, seen by its author and the owner only. */
  status: text("status", { enum: COMMENT_STATUSES }).notNull().default("published"),
  deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
  replyCount: integer("reply_count").notNull().default(0),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

const columns = {
  id: comments.id,
  videoId: comments.videoId,
  parentId: comments.parentId,
  userId: comments.userId,
  username: comments.username,
  content: comments.content,
  status: comments.status,
  deleted: comments.deleted,
  replyCount: comments.replyCount,
  createdAt: comments.createdAt,
};

/**
 * Who may read a comment in a list: anyone, if it is published and its author is not
 * suspended (a deleted stub stays, whoever wrote it, to hold its replies); a held one only
 * its author (`viewerId`).
 */
const listable = (viewerId?: string) =>
  and(
    or(eq(comments.deleted, true), eq(comments.authorSuspended, false)),
    viewerId ? or(eq(comments.status, "published"), eq(comments.userId, viewerId)) : eq(comments.status, "published"),
  );

/**
 * `reply_count` as lists show it: the stored count (published replies, stubs included) less
 * the replies of suspended authors, which nobody else sees until the suspension ends. Walks
 * the comment's replies by (video, parent, created_at): bounded by the comment's replies.
 */
// The outer row named in full: inside the subquery an unqualified column would name `r`'s.
const shownReplyCount = sql<number>`comments.reply_count - (
  SELECT count(*) FROM comments AS r
  WHERE r.video_id = comments.video_id AND r.parent_id = comments.id AND r.status = 'published' AND r.deleted = 0
    AND r.author_suspended = 1)`.as("shown_reply_count");
const listColumns = { ...columns, replyCount: shownReplyCount };

/** Sort orders map to columns here and nowhere else (never string-built SQL). */
const ORDERS = {
  newest: [desc(comments.createdAt), desc(comments.id)],
  top: [desc(comments.replyCount), desc(comments.createdAt), desc(comments.id)],
  /** Replies read as a conversation: oldest first. */
  thread: [asc(comments.createdAt), asc(comments.id)],
} satisfies Record<string, SQL[]>;
export type CommentOrder = keyof typeof ORDERS;

export interface Slice {
  order: CommentOrder;
  limit: number;
  offset: number;
}

/**
 * One page of a thread level of a video (its top-level comments, or a comment's direct
 * replies), the total at that level, and the first replies of every comment on the page:
 * three statements in one round trip, authors' names and standing in each row. Only what
 * `listable` lets through is read: published comments of authors in good standing, and the
 * viewer's own held ones when `viewerId` is given. Replies are found by their video and parent
 * (`comments_video_parent_created`).
 */
async function levelPage(db: Database, videoId: string, where: SQL, slice: Slice, viewerId?: string) {
  const visible = and(eq(comments.videoId, videoId), where, listable(viewerId));
  const pageIds = db
    .select({ id: comments.id })
    .from(comments)
    .where(visible)
    .orderBy(...ORDERS[slice.order])
    .limit(slice.limit)
    .offset(slice.offset);
  const ranked = db
    .select({
      ...listColumns,
      rank: sql<number>`row_number() over (partition by ${comments.parentId} order by ${comments.createdAt}, ${comments.id})`.as(
        "rank",
      ),
    })
    .from(comments)
    .where(and(eq(comments.videoId, videoId), inArray(comments.parentId, pageIds), listable(viewerId)))
    .as("ranked");
  const [total, page, replies] = await db.batch([
    db.select({ n: count() }).from(comments).where(visible),
    db
      .select(listColumns)
      .from(comments)
      .where(visible)
      .orderBy(...ORDERS[slice.order])
      .limit(slice.limit)
      .offset(slice.offset),
    db.select().from(ranked).where(lte(ranked.rank, INLINE_REPLIES)).orderBy(asc(ranked.createdAt), asc(ranked.id)),
  ]);
  return { total: total[0]?.n ?? 0, page: page as CommentRow[], replies: replies as (CommentRow & { rank: number })[] };
}

export type Level = Awaited<ReturnType<typeof levelPage>>;

/** A video's top-level comments as everyone sees them, or as `viewerId` does (their held ones too). */
export function topLevelPage(db: Database, videoId: string, slice: Slice, viewerId?: string) {
  return levelPage(db, videoId, sql`${comments.parentId} is null`, slice, viewerId);
}

/** A comment's direct replies (the comment is on `videoId`). */
export function repliesPage(db: Database, videoId: string, parentId: string, slice: Slice, viewerId?: string) {
  return levelPage(db, videoId, eq(comments.parentId, parentId), slice, viewerId);
}

/**
 * Whether the user's list of the video's comments may differ from the cached one: they have a
 * comment held for review there (only they see it), or one posted since `since` (its page's
 * purge may still be waiting: `purgeCommentsAfterPost`).
 */
export async function readsPastCache(db: Database, videoId: string, userId: string, since: Date): Promise<boolean> {
  const row = await db
    .select({ id: comments.id })
    .from(comments)
    .where(
      and(
        eq(comments.userId, userId),
        eq(comments.videoId, videoId),
        or(eq(comments.status, "held"), gte(comments.createdAt, since)),
      ),
    )
    .limit(1)
    .get();
  return row !== undefined;
}

/**
 * The comments held for review on a channel's videos, newest first, a page of them, and the
 * total; a suspended author's are left out, as everywhere else.
 */
export async function heldOnChannel(db: Database, channelId: string, limit: number, offset: number) {
  // Written out, not bound: SQLite uses `COMMENTS`' partial index of held comments only for
  // the terms of its WHERE as such.
  const where = and(
    eq(comments.channelId, channelId),
    sql`${comments.status} = 'held'`,
    sql`${comments.deleted} = 0`,
    eq(comments.authorSuspended, false),
  );
  const [total, rows] = await db.batch([
    db.select({ n: count() }).from(comments).where(where),
    db
      .select(columns)
      .from(comments)
      .where(where)
      .orderBy(desc(comments.createdAt), desc(comments.id))
      .limit(limit)
      .offset(offset),
  ]);
  return { total: total[0]?.n ?? 0, rows: rows as CommentRow[] };
}

export async function findComment(db: Database, commentId: string): Promise<CommentRow | undefined> {
  return db.select(columns).from(comments).where(eq(comments.id, commentId)).get();
}

/** Comments by id, with their authors' names (a report's targets). */
export async function commentsByIds(db: Database, ids: string[]): Promise<CommentRow[]> {
  if (!ids.length) return [];
  return db.select(columns).from(comments).where(inArray(comments.id, ids)).all();
}

/** The videos an account commented on (their cached comment pages change when it is suspended). */
export async function commentedVideoIdsOf(db: Database, userId: string, limit = 1000) {
  const rows = await db
    .selectDistinct({ id: comments.videoId })
    .from(comments)
    .where(eq(comments.userId, userId))
    .limit(limit)
    .all();
  return rows.map((r) => r.id);
}

/**
 * Everything posting a comment reads before the room, in one round trip to each database, in
 * parallel (it was four round trips, and a busy live room's tick waits behind every one of
 * them: docs/benchmarks.md, bench:room): in `COMMENTS` the parent and whether the author wrote
 * the same text lately; in `DB` the owner's rules (unless `withRules` is off), whether the owner
 * blocked the author, and whether the owner has an enabled webhook that hears comments (else
 * the webhook event is not even written).
 */
export async function postingChecks(
  db: Database,
  commentsDb: Database,
  q: { userId: string; ownerId: string; content: string; since: Date; parentId: string | null; withRules: boolean },
) {
  const [[parent, duplicate], [rules, blocked, hooks]] = await Promise.all([
    commentsDb.batch([
      commentsDb
        .select(columns)
        .from(comments)
        .where(eq(comments.id, q.parentId ?? ""))
        .limit(q.parentId ? 1 : 0),
      commentsDb
        .select({ id: comments.id })
        .from(comments)
        .where(and(eq(comments.userId, q.userId), gt(comments.createdAt, q.since), eq(comments.content, q.content)))
        .limit(1),
    ]),
    db.batch([
      rulesOfOwnerQuery(db, q.withRules ? q.ownerId : ""),
      db
        .select({ at: userBlocks.createdAt })
        .from(userBlocks)
        .where(and(eq(userBlocks.blockerId, q.ownerId), eq(userBlocks.blockedId, q.userId)))
        .limit(q.ownerId === q.userId ? 0 : 1),
      db
        .select({ id: webhookEndpoints.id })
        .from(webhookEndpoints)
        .where(
          and(
            eq(webhookEndpoints.userId, q.ownerId),
            eq(webhookEndpoints.enabled, true),
            sql`EXISTS (SELECT 1 FROM json_each(${webhookEndpoints.events}) WHERE value IN ('comment.created', 'comment.held'))`,
          ),
        )
        .limit(1),
    ]),
  ]);
  return {
    parent: parent[0] as CommentRow | undefined,
    duplicate: duplicate.length > 0,
    rules: rules[0],
    blocked: blocked.length > 0,
    ownerHearsComments: hooks.length > 0,
  };
}

export interface NewComment {
  id: string;
  videoId: string;
  parentId: string | null;
  userId: string;
  content: string;
  status: CommentStatus;
  createdAt: Date;
}

/**
 * Stores comments (a live room's tick of them, in order) in one batch, each with its video's
 * channel and its author's name, each published reply bumping its parent's reply count in the
 * same batch, so counts never disagree with the rows (a held reply counts once approved). The
 * caller (the video's room, which serialises a video's comment writes) has checked that every
 * parent is there. A redelivered comment (its id already stored) changes nothing.
 */
export async function insertComments(
  db: Database,
  rows: (NewComment & { username: string })[],
  channelId: string,
): Promise<void> {
  const statements = rows.flatMap((row) => {
    const insert = db
      .insert(comments)
      .values({ ...row, channelId })
      .onConflictDoNothing();
    if (!row.parentId || row.status === "held") return [insert];
    return [
      insert,
      db
        .update(comments)
        .set({ replyCount: sql`${comments.replyCount} + 1` })
        .where(and(eq(comments.id, row.parentId), sql`changes() > 0`)),
    ];
  });
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/** A moderator removes a comment: its text goes, its place stays as a stub for its replies. */
export async function markCommentRemoved(db: Database, commentId: string): Promise<void> {
  await db.update(comments).set({ deleted: true, content: "" }).where(eq(comments.id, commentId));
}

/**
 * Publishes a held comment and, for a reply, counts it in its parent, in one batch; the
 * count moves only if this batch is the one that publishes it (the bump runs first and
 * checks that it is still held). Answers the comment as it now stands.
 */
export async function publishComment(db: Database, commentId: string): Promise<CommentRow | undefined> {
  const held = and(eq(comments.id, commentId), eq(comments.status, "held"), eq(comments.deleted, false));
  const parentOf = db.select({ parentId: comments.parentId }).from(comments).where(held);
  await db.batch([
    db
      .update(comments)
      .set({ replyCount: sql`${comments.replyCount} + 1` })
      .where(eq(comments.id, sql`(${parentOf})`)),
    db.update(comments).set({ status: "published" }).where(held),
  ]);
  return findComment(db, commentId);
}

/**
 * Deletes a comment the way threads expect: one with replies keeps its place as a
 * "[deleted]" stub (text and author gone) so its replies still hang together; one without
 * replies goes entirely (with any replies still held under it, which nobody else saw), and
 * a deleted stub left with no replies goes with it, up the chain. A held comment was never
 * counted in its parent, so its parent's count stays. Answers the status of the comment
 * deleted, or undefined when it was not there to delete.
 */
export async function deleteComment(db: Database, commentId: string): Promise<CommentStatus | undefined> {
  const target = await threadNode(db, commentId);
  if (!target || target.deleted) return undefined;
  if (target.replyCount > 0) {
    await db.update(comments).set({ deleted: true, content: "" }).where(eq(comments.id, commentId));
    return target.status;
  }
  const repliesOf = (id: string) => and(eq(comments.videoId, target.videoId), eq(comments.parentId, id));
  if (target.status === "held" || !target.parentId) {
    await db.batch([
      db.delete(comments).where(repliesOf(commentId)),
      db.delete(comments).where(eq(comments.id, commentId)),
    ]);
    return target.status;
  }
  let id = commentId;
  let parentId: string | null = target.parentId;
  // Bounded: a thread deeper than this keeps an empty stub, which is harmless.
  for (let depth = 0; depth < 32; depth++) {
    if (!parentId) {
      await db.batch([db.delete(comments).where(repliesOf(id)), db.delete(comments).where(eq(comments.id, id))]);
      break;
    }
    await db.batch([
      db.delete(comments).where(repliesOf(id)),
      db.delete(comments).where(eq(comments.id, id)),
      db
        .update(comments)
        .set({ replyCount: sql`${comments.replyCount} - 1` })
        .where(eq(comments.id, parentId)),
    ]);
    const parent = await threadNode(db, parentId);
    if (!parent?.deleted || parent.replyCount > 0) break;
    id = parentId;
    parentId = parent.parentId;
  }
  return target.status;
}

/** A comment's place in its thread. */
function threadNode(db: Database, commentId: string) {
  return db
    .select({
      videoId: comments.videoId,
      parentId: comments.parentId,
      replyCount: comments.replyCount,
      deleted: comments.deleted,
      status: comments.status,
    })
    .from(comments)
    .where(eq(comments.id, commentId))
    .get();
}

/** A user was suspended or restored: their comments say so (by `comments_user_created`). */
export async function setAuthorSuspended(db: Database, userId: string, suspended: boolean): Promise<void> {
  await db.update(comments).set({ authorSuspended: suspended }).where(eq(comments.userId, userId));
}

/** A deleted video's comments (no foreign key reaches them from `DB`). */
export async function deleteVideoComments(db: Database, videoId: string): Promise<void> {
  await db.delete(comments).where(eq(comments.videoId, videoId));
}
