import { z } from "@hono/zod-openapi";
import type { CommentRow } from "../storage/comments";
import { COMMENT_STATUSES } from "../storage/schema";
import { Id, PageQuery, Timestamp } from "./common";

/** Content bounds after trimming (docs/api.md). */
export const COMMENT_MAX_CHARS = 10_000;

export const CommentBody = z
  .object({
    content: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(COMMENT_MAX_CHARS, `must be at most ${COMMENT_MAX_CHARS} characters`)
      .openapi({ description: "Plain text, 1-10,000 characters after trimming; never interpreted as HTML" }),
    parent_id: Id.nullish().openapi({ description: "The comment this replies to (same video)" }),
  })
  .strict()
  .openapi("CommentBody");
export type CommentBody = z.infer<typeof CommentBody>;

const CommentBase = z.object({
  id: Id,
  video_id: Id,
  parent_id: Id.nullable(),
  user: z
    .object({ id: Id, username: z.string() })
    .nullable()
    .openapi({ description: "The author; null once the comment is deleted" }),
  content: z.string().openapi({ description: 'Plain text; "[deleted]" once deleted' }),
  deleted: z.boolean(),
  status: z.enum(COMMENT_STATUSES).openapi({
    description: "`held`: waiting for the channel owner's approval, shown to its author alone",
  }),
  created_at: Timestamp,
  reply_count: z.number().int().openapi({ description: "Published replies others can see" }),
});

/** A comment with (in lists) its first three replies, each of them with its own counts. */
export const CommentOut = CommentBase.extend({ replies: z.array(CommentBase).optional() }).openapi("Comment");
export type CommentOut = z.infer<typeof CommentOut>;
type CommentCore = z.infer<typeof CommentBase>;

export const CommentList = z
  .object({
    items: z.array(CommentOut),
    page: z.number().int(),
    limit: z.number().int(),
    total: z.number().int(),
  })
  .openapi("CommentList");
export type CommentList = z.infer<typeof CommentList>;

export const CommentsQuery = PageQuery.extend({
  sort: z
    .enum(["newest", "top"])
    .default("newest")
    .openapi({ param: { name: "sort", in: "query" }, description: "newest first, or most replied first" }),
});
export type CommentsQuery = z.infer<typeof CommentsQuery>;

export const CommentParams = z.object({ comment_id: Id.openapi({ param: { name: "comment_id", in: "path" } }) });

/** A stored row (author joined) as the wire's comment; a deleted one keeps only its place. */
export function toComment(row: CommentRow, replies?: CommentCore[]): CommentOut {
  return {
    id: row.id,
    video_id: row.videoId,
    parent_id: row.parentId,
    user: row.deleted ? null : { id: row.userId, username: row.username },
    content: row.deleted ? "[deleted]" : row.content,
    deleted: row.deleted,
    status: row.status,
    created_at: new Date(row.createdAt).toISOString(),
    reply_count: row.replyCount,
    ...(replies ? { replies } : {}),
  };
}
