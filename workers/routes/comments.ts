import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { regionOf } from "../lib/region";
import { requireAuth } from "../middleware/auth";
import { RATE_RULES, rateLimit } from "../middleware/rate-limit";
import { CommentBody, CommentList, CommentOut, CommentParams, CommentsQuery } from "../schemas/comments";
import { bearer, json, jsonBody, PageQuery, problems } from "../schemas/common";
import { VideoParams } from "../schemas/processing";
import * as comments from "../services/comments";
import { commentDeps, commentStores } from "../wiring/deps";

/**
 * Spec: Comments Flow, Get Comments Flow, Nested Replies. Mounted at /api/v1. The live side
 * (`/videos/{video_id}/live`) is in live.ts.
 */
export const commentRoutes = router()
  .openapi(
    createRoute({
      method: "post",
      path: "/videos/{video_id}/comments",
      tags: ["comments"],
      summary: "Comment on a video, or reply to a comment",
      description:
        'Plain text. Rejected (`comment_rejected`, with `reason`) for profanity, link floods or the same text again; 403 `blocked` on the videos of someone who blocked the caller. A comment that meets the channel\'s rules (held words, links) answers 201 with `status: "held"`.',
      security: bearer,
      middleware: [requireAuth, rateLimit(RATE_RULES.comment)] as const,
      request: { params: VideoParams, body: jsonBody(CommentBody) },
      responses: { 201: json(CommentOut, "The stored comment"), ...problems(400, 401, 403, 404, 429) },
    }),
    async (c) => {
      const deps = {
        ...commentDeps(c.env, c.var.db, regionOf(c.req.raw)),
        later: (p: Promise<unknown>) => c.executionCtx.waitUntil(p),
      };
      const comment = await comments.postComment(deps, c.req.valid("param").video_id, c.var.user, c.req.valid("json"));
      return c.json(comment, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/videos/{video_id}/comments",
      tags: ["comments"],
      summary: "A video's comments, each with its first 3 replies",
      request: { params: VideoParams, query: CommentsQuery },
      responses: { 200: json(CommentList, "Top-level comments"), ...problems(400, 404) },
    }),
    async (c) => {
      const list = await comments.listComments(
        commentStores(c.env, c.var.db),
        c.req.valid("param").video_id,
        c.var.user,
        c.req.valid("query"),
      );
      return c.json(list, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/comments/{comment_id}/replies",
      tags: ["comments"],
      summary: "Direct replies of a comment (any depth), oldest first",
      request: { params: CommentParams, query: PageQuery },
      responses: { 200: json(CommentList, "Replies"), ...problems(400, 404) },
    }),
    async (c) => {
      const list = await comments.listReplies(
        commentStores(c.env, c.var.db),
        c.req.valid("param").comment_id,
        c.var.user,
        c.req.valid("query"),
      );
      return c.json(list, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/comments/{comment_id}",
      tags: ["comments"],
      summary: "Delete a comment (its author or the video's owner)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: CommentParams },
      responses: { 204: { description: "Deleted" }, ...problems(401, 403, 404) },
    }),
    async (c) => {
      await comments.deleteComment(commentDeps(c.env, c.var.db), c.req.valid("param").comment_id, c.var.user);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/comments/{comment_id}/approve",
      tags: ["comments"],
      summary: "Approve a comment held for review (the video's owner): it is published and announced live",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: CommentParams },
      responses: { 200: json(CommentOut, "The published comment"), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const comment = await comments.approveComment(
        commentDeps(c.env, c.var.db, regionOf(c.req.raw)),
        c.req.valid("param").comment_id,
        c.var.user,
      );
      return c.json(comment, 200);
    },
  );
