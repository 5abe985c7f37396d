import { and, asc, count, desc, eq, gt, gte, inArray, lte, or, type SQL, sql } from "drizzle-orm";
import { integer, sqliteTable, sqliteView, text } from "drizzle-orm/sqlite-core";
import type { Database } from "../env";
import { rulesOfOwnerQuery } from "./channel-moderation";
import { type COMMENT_STATUSES, COMMENTS_MOVED, comments, userBlocks, users, videos, webhookEndpoints } from "./schema";

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
 * A video's comments are in one of two databases (`videos.comments_home`, migration 0026):
 * `DB` until the cron moves them, then `COMMENTS` (migrations/comments). Both have the view
 * `comments_full`, each comment with its channel, its author's name and standing (`DB`'s joins
 * `users` and `videos`; `COMMENTS` stores them), so every read below is one statement that
 * runs on either. Writes that touch only the comment's own columns (publish, delete, reply
 * counts) use `comments` of schema.ts, whose columns both tables have; an insert into
 * `COMMENTS` carries the rest (`movedComments`).
 */
const full = sqliteView("comments_full", {
  id: text("id").notNull(),
  videoId: text("video_id").notNull(),
  channelId: text("channel_id").notNull(),
  parentId: text("parent_id"),
  userId: text("user_id").notNull(),
  username: text("username").notNull(),
  authorSuspended: integer("author_suspended", { mode: "boolean" }).notNull(),
  content: text("content").notNull(),
  status: text("status", { enum: ["published", "held"] }).notNull(),
  deleted: integer("deleted", { mode: "boolean" }).notNull(),
  replyCount: integer("reply_count").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
}).existing();

/** The `COMMENTS` database's table (migrations/comments/0001_comments.sql), for its inserts. */
const movedComments = sqliteTable("comments", {
  id: text("id").primaryKey(),
  videoId: text("video_id").notNull(),
  channelId: text("channel_id").notNull(),
  parentId: text("parent_id"),
  userId: text("user_id").notNull(),
  username: text("username").notNull(),
  authorSuspended: integer("author_suspended", { mode: "boolean" }).notNull().default(false),
  content: text("content").notNull(),
  status: text("status", { enum: ["published", "held"] }).notNull(),
  deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
  replyCount: integer("reply_count").notNull().default(0),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

const columns = {
  id: full.id,
  videoId: full.videoId,
  parentId: full.parentId,
  userId: full.userId,
  username: full.username,
  content: full.content,
  status: full.status,
  deleted: full.deleted,
  replyCount: full.replyCount,
  createdAt: full.createdAt,
};

/**
 * Who may read a comment in a list: anyone, if it is published and its author is not
 * suspended (a deleted stub stays, whoever wrote it, to hold its replies); a held one only
 * its author (`viewerId`).
 */
const listable = (viewerId?: string) =>
  and(
    or(eq(full.deleted, true), eq(full.authorSuspended, false)),
    viewerId ? or(eq(full.status, "published"), eq(full.userId, viewerId)) : eq(full.status, "published"),
  );

/**
 * `reply_count` as lists show it: the stored count (published replies, stubs included) less
 * the replies of suspended authors, which nobody else sees until the suspension ends. Walks
 * the comment's replies by (video, parent, created_at), each author by primary key: bounded by
 * the comment's replies, never by the number of accounts.
 */
// The outer row named in full: drizzle writes a view's columns unqualified, which inside the
// subquery would name `r`'s.
const shownReplyCount = sql<number>`comments_full.reply_count - (
  SELECT count(*) FROM comments_full AS r
  WHERE r.video_id = comments_full.video_id AND r.parent_id = comments_full.id AND r.status = 'published' AND r.deleted = 0
    AND r.author_suspended = 1)`.as("shown_reply_count");
const listColumns = { ...columns, replyCount: shownReplyCount };

/** Sort orders map to columns here and nowhere else (never string-built SQL). */
const ORDERS = {
  newest: [desc(full.createdAt), desc(full.id)],
  top: [desc(full.replyCount), desc(full.createdAt), desc(full.id)],
  /** Replies read as a conversation: oldest first. */
  thread: [asc(full.createdAt), asc(full.id)],
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
 * three statements in one round trip, authors' names and standing in each row, not looked up
 * per comment. Only what `listable` lets through is read: published comments of authors in
 * good standing, and the viewer's own held ones when `viewerId` is given. Replies are found by
 * their video and parent (`comments_video_parent_created`; migration 0025 dropped the index by
 * parent alone). With `home`, the batch also reads where the video's comments are (`DB` only).
 */
async function levelPage(db: Database, videoId: string, where: SQL, slice: Slice, viewerId?: string, home = false) {
  const visible = and(eq(full.videoId, videoId), where, listable(viewerId));
  const pageIds = db
    .select({ id: full.id })
    .from(full)
    .where(visible)
    .orderBy(...ORDERS[slice.order])
    .limit(slice.limit)
    .offset(slice.offset);
  const ranked = db
    .select({
      ...listColumns,
      rank: sql<number>`row_number() over (partition by ${full.parentId} order by ${full.createdAt}, ${full.id})`.as(
        "rank",
      ),
    })
    .from(full)
    .where(and(eq(full.videoId, videoId), inArray(full.parentId, pageIds), listable(viewerId)))
    .as("ranked");
  const statements = [
    db.select({ n: count() }).from(full).where(visible),
    db
      .select(listColumns)
      .from(full)
      .where(visible)
      .orderBy(...ORDERS[slice.order])
      .limit(slice.limit)
      .offset(slice.offset),
    db.select().from(ranked).where(lte(ranked.rank, INLINE_REPLIES)).orderBy(asc(ranked.createdAt), asc(ranked.id)),
  ] as const;
  // `COMMENTS` has no `videos`: only `DB`'s batch says where the video's comments are.
  const [[total, page, replies], place] = home
    ? await db.batch([...statements, homeQuery(db, videoId)]).then(([t, p, r, h]) => [[t, p, r] as const, h] as const)
    : [await db.batch(statements), undefined];
  return {
    total: total[0]?.n ?? 0,
    page: page as CommentRow[],
    replies: replies as (CommentRow & { rank: number })[],
    moved: place?.[0]?.home === COMMENTS_MOVED,
  };
}

export type Level = Awaited<ReturnType<typeof levelPage>>;

/** A video's top-level comments as everyone sees them, or as `viewerId` does (their held ones too). */
export function topLevelPage(db: Database, videoId: string, slice: Slice, viewerId?: string, home = false) {
  return levelPage(db, videoId, sql`${full.parentId} is null`, slice, viewerId, home);
}

/** A comment's direct replies (the comment is on `videoId`). */
export function repliesPage(
  db: Database,
  videoId: string,
  parentId: string,
  slice: Slice,
  viewerId?: string,
  home = false,
) {
  return levelPage(db, videoId, eq(full.parentId, parentId), slice, viewerId, home);
}

/** Statement: where the video's comments are, and its channel (no row for "" or a video gone). */
const homeQuery = (db: Database, videoId: string) =>
  db.select({ home: videos.commentsHome, channelId: videos.channelId }).from(videos).where(eq(videos.id, videoId));

/** Where the video's comments are (`moved`: in `COMMENTS`), and its channel; undefined for a video gone. */
export async function commentHome(db: Database, videoId: string) {
  const row = await homeQuery(db, videoId).get();
  return row && { moved: row.home === COMMENTS_MOVED, channelId: row.channelId };
}

/**
 * Whether the user's list of the video's comments may differ from the cached one: they have a
 * comment held for review there (only they see it), or one posted since `since` (its page's
 * purge may still be waiting: `purgeCommentsAfterPost`).
 */
export async function readsPastCache(db: Database, videoId: string, userId: string, since: Date): Promise<boolean> {
  const row = await db
    .select({ id: full.id })
    .from(full)
    .where(
      and(eq(full.userId, userId), eq(full.videoId, videoId), or(eq(full.status, "held"), gte(full.createdAt, since))),
    )
    .limit(1)
    .get();
  return row !== undefined;
}

/**
 * The comments held for review on a channel's videos, newest first, the first `upTo` of them,
 * and the total; a suspended author's are left out, as everywhere else.
 */
export async function heldOnChannel(db: Database, channelId: string, upTo: number) {
  // Written out, not bound: SQLite uses `COMMENTS`' partial index of held comments only for
  // the terms of its WHERE as such.
  const where = and(
    eq(full.channelId, channelId),
    sql`${full.status} = 'held'`,
    sql`${full.deleted} = 0`,
    eq(full.authorSuspended, false),
  );
  const [total, rows] = await db.batch([
    db.select({ n: count() }).from(full).where(where),
    db.select(columns).from(full).where(where).orderBy(desc(full.createdAt), desc(full.id)).limit(upTo),
  ]);
  return { total: total[0]?.n ?? 0, rows: rows as CommentRow[] };
}

export async function findComment(db: Database, commentId: string): Promise<CommentRow | undefined> {
  return db.select(columns).from(full).where(eq(full.id, commentId)).get();
}

/** Comments by id, with their authors' names (a report's targets). */
export async function commentsByIds(db: Database, ids: string[]): Promise<CommentRow[]> {
  if (!ids.length) return [];
  return db.select(columns).from(full).where(inArray(full.id, ids)).all();
}

/** The videos an account commented on (their cached comment pages change when it is suspended). */
export async function commentedVideoIdsOf(db: Database, userId: string, limit = 1000) {
  const rows = await db
    .selectDistinct({ id: full.videoId })
    .from(full)
    .where(eq(full.userId, userId))
    .limit(limit)
    .all();
  return rows.map((r) => r.id);
}

/**
 * What posting a comment reads of the comments themselves, in the database given: the parent
 * and whether the author wrote the same text lately (anywhere: a user's comments may be in
 * either database until every video has moved).
 */
function commentChecks(db: Database, q: { userId: string; content: string; since: Date; parentId: string | null }) {
  return [
    db
      .select(columns)
      .from(full)
      .where(eq(full.id, q.parentId ?? ""))
      .limit(q.parentId ? 1 : 0),
    db
      .select({ id: full.id })
      .from(full)
      .where(and(eq(full.userId, q.userId), gt(full.createdAt, q.since), eq(full.content, q.content)))
      .limit(1),
  ] as const;
}

/**
 * Everything posting a comment reads before the room, in one round trip to each database (it
 * was four, and a busy live room's tick waits behind every one of them: docs/benchmarks.md,
 * bench:room): the parent, the author's same text lately, the owner's rules (unless
 * `withRules` is off), whether the owner blocked the author, and whether the owner has an
 * enabled webhook that hears comments (else the webhook event is not even written).
 */
export async function postingChecks(
  db: Database,
  moved: Database,
  q: { userId: string; ownerId: string; content: string; since: Date; parentId: string | null; withRules: boolean },
) {
  const [[parent, duplicate, rules, blocked, hooks], [movedParent, movedDuplicate]] = await Promise.all([
    db.batch([
      ...commentChecks(db, q),
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
    moved.batch([...commentChecks(moved, q)]),
  ]);
  return {
    // `DB`'s row while the video's comments are there; a copy in `COMMENTS` then is a move's.
    parent: (parent[0] ?? movedParent[0]) as CommentRow | undefined,
    duplicate: duplicate.length > 0 || movedDuplicate.length > 0,
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
 * Stores comments (a live room's tick of them, in order) in one batch, each published reply
 * bumping its parent's reply count in the same batch, so counts never disagree with the rows
 * (a held reply counts once approved). The caller (the video's room, which serialises a
 * video's comment writes) has checked that every parent is there. A redelivered comment (its
 * id already stored) changes nothing. `moved` says the database is `COMMENTS`, whose rows carry
 * the video's channel and the author's name; in `DB`, a video whose comments have moved fails
 * the batch with `comments_moved` (`isMovedError`), and nothing is stored.
 */
export async function insertComments(
  db: Database,
  rows: (NewComment & { username: string })[],
  moved?: { channelId: string },
): Promise<void> {
  const statements = rows.flatMap(({ username, ...row }) => {
    const insert = moved
      ? db
          .insert(movedComments)
          .values({ ...row, username, channelId: moved.channelId })
          .onConflictDoNothing()
      : db.insert(comments).values(row).onConflictDoNothing();
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

/** The failure of a write into `DB` for a video whose comments have moved (migration 0026's guard). */
export const isMovedError = (err: unknown) => /comments_moved/.test(String(err));

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

// The move: a video's comments from `DB` to `COMMENTS`, run by the video's room (which writes
// its comments, so nothing is written meanwhile), and the cron that asks the rooms.

/**
 * Comments copied in one statement: their rows as one JSON parameter (D1 binds at most 100
 * parameters a statement). A comment is at most 10,000 characters (schemas/comments.ts), so
 * a page stays within D1's 2 MB for a value even if every one were that long.
 */
const MOVE_CHUNK = 50;
/** Comments read from `DB` at once, copied in one batch of chunks. */
const MOVE_PAGE = 500;
/** A chunk of comments into `COMMENTS`, each row a JSON array in `moveVideoComments`' column order. */
const COPY_ROWS = `INSERT INTO comments (id, video_id, channel_id, parent_id, user_id, username, author_suspended, content,
    status, deleted, reply_count, created_at)
  SELECT ${Array.from({ length: 12 }, (_, i) => `json_extract(value, '$[${i}]')`).join(", ")} FROM json_each(?)`;

/**
 * Moves one video's comments from `DB` to `COMMENTS` and answers how many: a copy left by a
 * move cut short goes first; then `DB`'s rows, by id, a page at a time, with each comment's
 * channel, author's name and standing; then, in one batch in `DB`, the video says its comments
 * moved and its rows there go (until then `DB`'s rows are the video's comments and readers
 * read them). Last, every moved author's standing is read again and set: a suspension or its
 * lift made while the copy ran reached `COMMENTS` before the rows did. The caller (the room)
 * writes no comment of the video meanwhile.
 */
export async function moveVideoComments(db: Database, moved: Database, videoId: string): Promise<number> {
  await moved.delete(comments).where(eq(comments.videoId, videoId));
  const authors = new Set<string>();
  let after = "";
  let n = 0;
  for (;;) {
    const rows = await db
      .select({ ...columns, channelId: full.channelId, authorSuspended: full.authorSuspended })
      .from(full)
      .where(and(eq(full.videoId, videoId), gt(full.id, after)))
      .orderBy(asc(full.id))
      .limit(MOVE_PAGE)
      .all();
    if (!rows.length) break;
    const values = rows.map((r) => [
      r.id,
      r.videoId,
      r.channelId,
      r.parentId,
      r.userId,
      r.username,
      r.authorSuspended ? 1 : 0,
      r.content,
      r.status,
      r.deleted ? 1 : 0,
      r.replyCount,
      r.createdAt.getTime(),
    ]);
    const copy = moved.$client.prepare(COPY_ROWS);
    const copies = [];
    for (let i = 0; i < values.length; i += MOVE_CHUNK) {
      copies.push(copy.bind(JSON.stringify(values.slice(i, i + MOVE_CHUNK))));
    }
    await moved.$client.batch(copies);
    for (const r of rows) authors.add(r.userId);
    n += rows.length;
    after = rows[rows.length - 1]?.id ?? after;
  }
  const [flipped] = await db.batch([
    db.update(videos).set({ commentsHome: COMMENTS_MOVED }).where(eq(videos.id, videoId)),
    db.delete(comments).where(eq(comments.videoId, videoId)),
  ]);
  if (!flipped.meta.changes) {
    // The video was deleted while its comments were copied: the copies go too.
    await moved.delete(comments).where(eq(comments.videoId, videoId));
    return 0;
  }
  if (authors.size) {
    const suspended: string[] = [];
    const ids = [...authors];
    for (let i = 0; i < ids.length; i += 90) {
      const rows = await db
        .select({ id: users.id })
        .from(users)
        .where(and(inArray(users.id, ids.slice(i, i + 90)), sql`${users.suspendedUntil} IS NOT NULL`))
        .all();
      suspended.push(...rows.map((r) => r.id));
    }
    await moved.run(
      sql`UPDATE comments SET author_suspended = (user_id IN (SELECT value FROM json_each(${JSON.stringify(suspended)})))
        WHERE video_id = ${videoId}`,
    );
  }
  return n;
}

/**
 * Cron: videos without a comment in `DB` are marked moved, up to `limit` of them, in one
 * statement (nothing to copy; a comment written there meanwhile fails migration 0026's guard
 * and is written again in `COMMENTS`). Answers how many.
 */
export async function markCommentlessMoved(db: Database, limit: number): Promise<number> {
  const result = await db.run(
    sql`UPDATE videos SET comments_home = ${COMMENTS_MOVED} WHERE id IN (
      SELECT v.id FROM videos v WHERE v.comments_home = 0
        AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.video_id = v.id) LIMIT ${limit})`,
  );
  return result.meta.changes ?? 0;
}

/** Cron: up to `limit` videos whose comments are still in `DB`. */
export async function videosToMove(db: Database, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: videos.id })
    .from(videos)
    .where(sql`${videos.commentsHome} = 0`)
    .limit(limit)
    .all();
  return rows.map((r) => r.id);
}

/** A user was suspended or restored: their comments in `COMMENTS` say so (`DB`'s view reads `users`). */
export async function setAuthorSuspended(moved: Database, userId: string, suspended: boolean): Promise<void> {
  await moved.update(movedComments).set({ authorSuspended: suspended }).where(eq(movedComments.userId, userId));
}

/** A deleted video's comments in `COMMENTS` (`DB`'s go by its foreign key). */
export async function deleteVideoComments(moved: Database, videoId: string): Promise<void> {
  await moved.delete(comments).where(eq(comments.videoId, videoId));
}
