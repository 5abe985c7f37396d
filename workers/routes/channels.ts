import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { requireAuth } from "../middleware/auth";
import { ChannelOut } from "../schemas/accounts";
import { ChannelParams, ChannelVideoList } from "../schemas/channels";
import { CommentRules, CommentRulesBody, HeldCommentList } from "../schemas/comment-moderation";
import { bearer, json, jsonBody, PageQuery, problems } from "../schemas/common";
import * as accounts from "../services/accounts";
import * as channels from "../services/channels";
import * as rules from "../services/comment-rules";
import { commentStores } from "../wiring/deps";

export const channelRoutes = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/{channel_id}",
      tags: ["channels"],
      summary: "A channel",
      request: { params: ChannelParams },
      responses: { 200: json(ChannelOut, "The channel"), ...problems(400, 404) },
    }),
    async (c) => c.json(await accounts.channel(c.var.db, c.req.valid("param").channel_id), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{channel_id}/videos",
      tags: ["channels"],
      summary: "A channel's public, ready videos, newest first",
      request: { params: ChannelParams, query: PageQuery },
      responses: { 200: json(ChannelVideoList, "Video summaries"), ...problems(400, 404) },
    }),
    async (c) => {
      const { page, limit } = c.req.valid("query");
      const origin = new URL(c.req.url).origin;
      return c.json(await channels.channelVideos(c.var.db, c.req.valid("param").channel_id, origin, page, limit), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{channel_id}/subscription",
      tags: ["channels"],
      summary: "Subscribe to a channel (idempotent)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: ChannelParams },
      responses: { 204: { description: "Subscribed" }, ...problems(400, 401, 404) },
    }),
    async (c) => {
      await channels.subscribe(c.var.db, c.var.user.id, c.req.valid("param").channel_id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{channel_id}/subscription",
      tags: ["channels"],
      summary: "Unsubscribe from a channel (idempotent)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: ChannelParams },
      responses: { 204: { description: "Not subscribed" }, ...problems(400, 401, 404) },
    }),
    async (c) => {
      await channels.unsubscribe(c.var.db, c.var.user.id, c.req.valid("param").channel_id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{channel_id}/moderation",
      tags: ["moderation"],
      summary: "The channel's rules for holding comments (its owner only)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: ChannelParams },
      responses: { 200: json(CommentRules, "The rules"), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await rules.commentRules(c.var.db, c.var.user, c.req.valid("param").channel_id), 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/{channel_id}/moderation",
      tags: ["moderation"],
      summary: "Replace the channel's rules for holding comments (its owner only)",
      description:
        "A comment on the channel's videos that contains a held word (whole words, case-insensitive, the usual evasions folded) or, with `hold_links`, a link is stored `held` until the owner approves it.",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: ChannelParams, body: jsonBody(CommentRulesBody) },
      responses: { 200: json(CommentRules, "The saved rules"), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const saved = await rules.saveCommentRules(
        c.var.db,
        c.var.user,
        c.req.valid("param").channel_id,
        c.req.valid("json"),
      );
      return c.json(saved, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{channel_id}/held-comments",
      tags: ["moderation"],
      summary: "Comments held for review on the channel's videos, newest first (its owner only)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: ChannelParams, query: PageQuery },
      responses: { 200: json(HeldCommentList, "Held comments"), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { page, limit } = c.req.valid("query");
      return c.json(
        await rules.heldComments(
          commentStores(c.env, c.var.db),
          c.var.user,
          c.req.valid("param").channel_id,
          page,
          limit,
        ),
        200,
      );
    },
  );
