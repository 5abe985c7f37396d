import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { requireAuth } from "../middleware/auth";
import { bearer, json, jsonBody, problems } from "../schemas/common";
import { HistoryDeleteQuery, HistoryList, HistoryQuery, PausedBody } from "../schemas/videos";
import * as history from "../services/history";
import { historyDeps } from "../wiring/deps";

/** Spec: Watch History Flow. Mounted at /api/v1/users/me/watch-history. */
export const historyRoutes = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["history"],
      summary: "What the user watched, newest first, with resume points",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { query: HistoryQuery },
      responses: { 200: json(HistoryList, "History"), ...problems(400, 401) },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const origin = new URL(c.req.url).origin;
      return c.json(await history.historyOf(historyDeps(c.env, c.var.db), c.var.user.id, origin, limit, cursor), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/",
      tags: ["history"],
      summary: "Clear the history, or one video's entry with ?video_id=",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { query: HistoryDeleteQuery },
      responses: { 204: { description: "Cleared" }, ...problems(400, 401) },
    }),
    async (c) => {
      await history.clearHistory(historyDeps(c.env, c.var.db), c.var.user.id, c.req.valid("query").video_id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/paused",
      tags: ["history"],
      summary: "Pause or resume history (no rows are written while paused)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { body: jsonBody(PausedBody) },
      responses: { 200: json(PausedBody, "The setting"), ...problems(400, 401) },
    }),
    async (c) => {
      const { paused } = c.req.valid("json");
      await history.setHistoryPaused(c.var.db, c.var.user.id, paused);
      return c.json({ paused }, 200);
    },
  );
