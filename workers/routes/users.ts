import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { requireAuth } from "../middleware/auth";
import { Me } from "../schemas/accounts";
import { SubscriptionList } from "../schemas/channels";
import { BlockList, BlockParams } from "../schemas/comment-moderation";
import { bearer, json, PageQuery, problems } from "../schemas/common";
import { NotificationList } from "../schemas/notifications";
import * as accounts from "../services/accounts";
import { subscriptionsOf } from "../services/channels";
import { notificationsOf } from "../services/notifications";
import * as blocks from "../services/user-blocks";
import { blockDeps, notificationDeps } from "../wiring/deps";

export const userRoutes = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/me",
      tags: ["accounts"],
      summary: "The signed-in user",
      security: bearer,
      middleware: [requireAuth] as const,
      responses: { 200: json(Me, "The account"), ...problems(401, 404) },
    }),
    async (c) => c.json(await accounts.me(c.var.db, c.var.user.id), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/me/notifications",
      tags: ["accounts"],
      summary: "The signed-in user's notifications, newest first",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { query: PageQuery },
      responses: { 200: json(NotificationList, "Notifications"), ...problems(400, 401) },
    }),
    async (c) => {
      const { page, limit } = c.req.valid("query");
      return c.json(await notificationsOf(notificationDeps(c.env, c.var.db), c.var.user.id, page, limit), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/me/subscriptions",
      tags: ["channels"],
      summary: "The channels the signed-in user follows, most recent first",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { query: PageQuery },
      responses: { 200: json(SubscriptionList, "Channels"), ...problems(400, 401) },
    }),
    async (c) => {
      const { page, limit } = c.req.valid("query");
      return c.json(await subscriptionsOf(c.var.db, c.var.user.id, page, limit), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/me/blocks",
      tags: ["moderation"],
      summary: "The users the signed-in user blocked, most recent first",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { query: PageQuery },
      responses: { 200: json(BlockList, "Blocked users"), ...problems(400, 401) },
    }),
    async (c) => {
      const { page, limit } = c.req.valid("query");
      return c.json(await blocks.blocksOf(c.var.db, c.var.user.id, page, limit), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/me/blocks/{user_id}",
      tags: ["moderation"],
      summary: "Block a user (idempotent): their comments disappear for you, and they cannot comment on your videos",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: BlockParams },
      responses: { 204: { description: "Blocked" }, ...problems(400, 401, 404) },
    }),
    async (c) => {
      await blocks.blockUser(blockDeps(c.env, c.var.db), c.var.user, c.req.valid("param").user_id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/me/blocks/{user_id}",
      tags: ["moderation"],
      summary: "Unblock a user (idempotent)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: BlockParams },
      responses: { 204: { description: "Not blocked" }, ...problems(400, 401, 404) },
    }),
    async (c) => {
      await blocks.unblockUser(blockDeps(c.env, c.var.db), c.var.user, c.req.valid("param").user_id);
      return c.body(null, 204);
    },
  );
