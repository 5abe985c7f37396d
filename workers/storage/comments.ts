import { and, asc, count, desc, eq, gt, inArray, lte, type SQL, sql } from "drizzle-orm";
import type { Database } from "../env";
import { comments, users } from "./schema";

/** Replies shown under each comment of a list before "load more" (seed: first 3). */
export const INLINE_REPLIES = 3;

export interface CommentRow {
  id: string;
  videoId: string;
  parentId: string | null;
  userId: string;
  username: string;
  content: string;
  deleted: boolean;
  replyCount: number;
  createdAt: Date;
}

const columns = {
  id: comments.id,
  videoId: comments.videoId,
  parentId: comments.parentId,
  userId: comments.userId,
  username: users.username,
  content: comments.content,
  deleted: comments.deleted,
  replyCount: comments.replyCount,
  createdAt: comments.createdAt,
};

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
 * One page of a thread level (top-level comments of a video, or direct replies of a
 * comment), the total at that level, and the first replies of every comment on the page:
 * three statements in one round trip, authors joined, not looked up per comment.
 */
async function levelPage(db: Database, where: SQL, slice: Slice) {
  const pageIds = db
    .select({ id: comments.id })
    .from(comments)
    .where(where)
    .orderBy(...ORDERS[slice.order])
    .limit(slice.limit)
    .offset(slice.offset);
  const ranked = db
    .select({
      ...columns,
      rank: sql<number>`row_number() over (partition by ${comments.parentId} order by ${comments.createdAt}, ${comments.id})`.as(
        "rank",
      ),
    })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.userId))
    .where(inArray(comments.parentId, pageIds))
    .as("ranked");
  const [total, page, replies] = await db.batch([
    db.select({ n: count() }).from(comments).where(where),
    db
      .select(columns)
      .from(comments)
      .innerJoin(users, eq(users.id, comments.userId))
      .where(where)
      .orderBy(...ORDERS[slice.order])
      .limit(slice.limit)
      .offset(slice.offset),
    db.select().from(ranked).where(lte(ranked.rank, INLINE_REPLIES)).orderBy(asc(ranked.createdAt), asc(ranked.id)),
  ]);
  return { total: total[0]?.n ?? 0, page: page as CommentRow[], replies: replies as (CommentRow & { rank: number })[] };
}

export function topLevelPage(db: Database, videoId: string, slice: Slice) {
  return levelPage(db, sql`${comments.videoId} = ${videoId} and ${comments.parentId} is null`, slice);
}

export function repliesPage(db: Database, parentId: string, slice: Slice) {
  return levelPage(db, eq(comments.parentId, parentId), slice);
}

export async function findComment(db: Database, commentId: string): Promise<CommentRow | undefined> {
  return db
    .select(columns)
    .from(comments)
    .innerJoin(users, eq(users.id, comments.userId))
    .where(eq(comments.id, commentId))
    .get();
}

/** Whether the user posted this exact text since `since` (spam: the same text again and again). */
export async function hasRecentDuplicate(db: Database, userId: string, content: string, since: Date) {
  const row = await db
    .select({ id: comments.id })
    .from(comments)
    .where(and(eq(comments.userId, userId), gt(comments.createdAt, since), eq(comments.content, content)))
    .limit(1)
    .get();
  return row !== undefined;
}

export interface NewComment {
  id: string;
  videoId: string;
  parentId: string | null;
  userId: string;
  content: string;
  createdAt: Date;
}

/**
 * Stores comments (a live room's tick of them, in order) in one batch, each reply bumping
 * its parent's reply count in the same batch, so counts never disagree with the rows. The
 * caller (the video's room, which serialises a video's comment writes) has checked that
 * every parent is there. A redelivered comment (its id already stored) changes nothing.
 */
export async function insertComments(db: Database, rows: NewComment[]): Promise<void> {
  const statements = rows.flatMap((row) => {
    const insert = db.insert(comments).values(row).onConflictDoNothing();
    if (!row.parentId) return [insert];
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

/**
 * Deletes a comment the way threads expect: one with replies keeps its place as a
 * "[deleted]" stub (text and author gone) so its replies still hang together; one without
 * replies goes entirely, and a deleted stub left with no replies goes with it, up the chain.
 * Answers whether the comment was there to delete.
 */
export async function deleteComment(db: Database, commentId: string): Promise<boolean> {
  const target = await threadNode(db, commentId);
  if (!target || target.deleted) return false;
  if (target.replyCount > 0) {
    await db.update(comments).set({ deleted: true, content: "" }).where(eq(comments.id, commentId));
    return true;
  }
  let id = commentId;
  let parentId = target.parentId;
  // Bounded: a thread deeper than this keeps an empty stub, which is harmless.
  for (let depth = 0; depth < 32; depth++) {
    if (!parentId) {
      await db.delete(comments).where(eq(comments.id, id));
      break;
    }
    await db.batch([
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
  return true;
}

/** A comment's place in its thread. */
function threadNode(db: Database, commentId: string) {
  return db
    .select({ parentId: comments.parentId, replyCount: comments.replyCount, deleted: comments.deleted })
    .from(comments)
    .where(eq(comments.id, commentId))
    .get();
}
