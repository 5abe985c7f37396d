import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { requireAuth, requireRole } from "../middleware/auth";
import { RATE_RULES, rateLimit } from "../middleware/rate-limit";
import { bearer, json, jsonBody, PageQuery, problems } from "../schemas/common";
import {
  ActionBody,
  BlockBody,
  Blocked,
  LogList,
  QueueQuery,
  ReportBody,
  ReportCreated,
  ReportList,
  ReportOut,
  ReportParams,
  ReportQueue,
  RoleBody,
  RoleOut,
  Suspension,
  SuspensionBody,
  UserParams,
  VideoIdParams,
} from "../schemas/moderation";
import * as moderation from "../services/moderation";
import * as reports from "../services/reports";
import { commentStores, moderationDeps } from "../wiring/deps";

const origin = (url: string) => new URL(url).origin;

/**
 * Trust and safety (API.md): reports by anyone signed in; the queue, actions and the log for
 * moderators; roles for admins. Mounted at /api/v1.
 */
export const moderationRoutes = router()
  .openapi(
    createRoute({
      method: "post",
      path: "/reports",
      tags: ["moderation"],
      summary: "Report a video, a comment or a user",
      security: bearer,
      middleware: [requireAuth, rateLimit(RATE_RULES.report)] as const,
      request: { body: jsonBody(ReportBody) },
      responses: { 201: json(ReportCreated, "Filed, pending"), ...problems(400, 401, 404, 409, 429) },
    }),
    async (c) => c.json(await reports.fileReport(commentStores(c.env, c.var.db), c.var.user, c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/users/me/reports",
      tags: ["moderation"],
      summary: "The caller's reports and how each ended",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { query: PageQuery },
      responses: { 200: json(ReportList, "Reports, newest first"), ...problems(400, 401) },
    }),
    async (c) => {
      const { page, limit } = c.req.valid("query");
      return c.json(await reports.myReports(c.var.db, c.var.user.id, page, limit), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/moderation/reports",
      tags: ["moderation"],
      summary: "The report queue: most reported targets first, then oldest first",
      security: bearer,
      middleware: [requireAuth, requireRole("moderator")] as const,
      request: { query: QueueQuery },
      responses: { 200: json(ReportQueue, "One item per report"), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { page, limit, state, target_type } = c.req.valid("query");
      const filter = { state, targetType: target_type };
      return c.json(
        await reports.reportQueue(commentStores(c.env, c.var.db), c.var.user, filter, page, limit, origin(c.req.url)),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/moderation/reports/{report_id}",
      tags: ["moderation"],
      summary: "Act on a report; every open report of its target is settled with it",
      security: bearer,
      middleware: [requireAuth, requireRole("moderator")] as const,
      request: { params: ReportParams, body: jsonBody(ActionBody) },
      responses: { 200: json(ReportOut, "The report, settled"), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const deps = moderationDeps(c.env, c.var.db, (p) => c.executionCtx.waitUntil(p));
      return c.json(
        await reports.actOnReport(deps, c.var.user, c.req.valid("param").report_id, c.req.valid("json")),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/moderation/videos/{video_id}/block",
      tags: ["moderation"],
      summary: "Block a video: 451 for everyone but its owner, out of every list",
      security: bearer,
      middleware: [requireAuth, requireRole("moderator")] as const,
      request: { params: VideoIdParams, body: jsonBody(BlockBody) },
      responses: { 200: json(Blocked, "Blocked"), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const deps = moderationDeps(c.env, c.var.db, (p) => c.executionCtx.waitUntil(p));
      const { video_id } = c.req.valid("param");
      return c.json(await moderation.blockVideo(deps, c.var.user, video_id, c.req.valid("json").reason), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/moderation/videos/{video_id}/block",
      tags: ["moderation"],
      summary: "Restore a blocked video",
      security: bearer,
      middleware: [requireAuth, requireRole("moderator")] as const,
      request: { params: VideoIdParams },
      responses: { 204: { description: "Restored" }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const deps = moderationDeps(c.env, c.var.db, (p) => c.executionCtx.waitUntil(p));
      await moderation.restoreVideo(deps, c.var.user, c.req.valid("param").video_id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/moderation/users/{user_id}/suspension",
      tags: ["moderation"],
      summary: "Suspend an account: sessions refused, videos and comments hidden",
      security: bearer,
      middleware: [requireAuth, requireRole("moderator")] as const,
      request: { params: UserParams, body: jsonBody(SuspensionBody) },
      responses: { 200: json(Suspension, "Suspended"), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const deps = moderationDeps(c.env, c.var.db, (p) => c.executionCtx.waitUntil(p));
      const { reason, until } = c.req.valid("json");
      const input = { reason, until: until ? new Date(until) : undefined };
      return c.json(await moderation.suspendUser(deps, c.var.user, c.req.valid("param").user_id, input), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/moderation/users/{user_id}/suspension",
      tags: ["moderation"],
      summary: "End a suspension",
      security: bearer,
      middleware: [requireAuth, requireRole("moderator")] as const,
      request: { params: UserParams },
      responses: { 204: { description: "Restored" }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const deps = moderationDeps(c.env, c.var.db, (p) => c.executionCtx.waitUntil(p));
      await moderation.liftSuspension(deps, c.var.user, c.req.valid("param").user_id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/moderation/log",
      tags: ["moderation"],
      summary: "Every moderation action, newest first (never deleted)",
      security: bearer,
      middleware: [requireAuth, requireRole("moderator")] as const,
      request: { query: PageQuery },
      responses: { 200: json(LogList, "The log"), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { page, limit } = c.req.valid("query");
      return c.json(await moderation.moderationLog(c.var.db, page, limit), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/admin/users/{user_id}/role",
      tags: ["moderation"],
      summary: "Give a user a role (admins only); it applies at their next request",
      security: bearer,
      middleware: [requireAuth, requireRole("admin")] as const,
      request: { params: UserParams, body: jsonBody(RoleBody) },
      responses: { 200: json(RoleOut, "The user"), ...problems(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await moderation.setRole(c.var.db, c.var.user, c.req.valid("param").user_id, c.req.valid("json").role),
        200,
      ),
  );
