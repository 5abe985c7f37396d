import { createRoute, z } from "@hono/zod-openapi";
import { problem } from "../lib/errors";
import { router } from "../lib/openapi";
import { userFromToken } from "../middleware/auth";
import { problems } from "../schemas/common";
import { VideoParams } from "../schemas/processing";
import { joinRoom } from "../services/comments";
import { commentDeps } from "../wiring/deps";

/**
 * `GET /api/v1/videos/{video_id}/live` with `Upgrade: websocket` joins the video's room.
 * Browsers cannot set headers on a WebSocket, so the bearer token may come as `access_token`.
 */
export const liveRoutes = router().openapi(
  createRoute({
    method: "get",
    path: "/{video_id}/live",
    tags: ["comments"],
    summary: "Join the video's live room (WebSocket)",
    description:
      'Messages: comment_added, comment_deleted, counters, status; send {"type":"ping"} for {"type":"pong"}.',
    request: {
      params: VideoParams,
      query: z.object({
        access_token: z
          .string()
          .max(2000)
          .optional()
          .openapi({ param: { name: "access_token", in: "query" } }),
      }),
    },
    responses: { 101: { description: "Switching protocols" }, ...problems(400, 404, 426) },
  }),
  async (c) => {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw problem("upgrade_required", {
        detail: "Join the room with a WebSocket (Upgrade: websocket).",
        headers: { Upgrade: "websocket" },
      });
    }
    const { video_id } = c.req.valid("param");
    const token = c.req.valid("query").access_token;
    // An invalid access_token joins as an anonymous watcher, as before (a private room then 404s).
    const viewer = c.var.user ?? (token ? await userFromToken(token, c.env, c.var.db) : undefined);
    return joinRoom(commentDeps(c.env, c.var.db), video_id, viewer, c.req.raw);
  },
);
