import { createRoute } from "@hono/zod-openapi";
import { problem } from "../lib/errors";
import { router } from "../lib/openapi";
import { requireAuth, userFromToken } from "../middleware/auth";
import { bearer, json, jsonBody, problems } from "../schemas/common";
import { JoinQuery, LiveEvents, LiveEventsQuery, LiveSettingsBody, LiveSettingsOut } from "../schemas/live";
import { VideoParams } from "../schemas/processing";
import { joinRoom } from "../services/comments";
import { liveEvents, liveSettings, updateLiveSettings } from "../services/live";
import { commentDeps, liveDeps } from "../wiring/deps";

/**
 * The live room (API.md "Live room"): `GET /{video_id}/live` with `Upgrade: websocket` joins
 * it (browsers cannot set headers on a WebSocket, so the bearer token may come as
 * `access_token`); `/live/events` answers what a client missed; `/live/settings` is the
 * owner's slow mode and who may comment. Mounted at /api/v1/videos.
 */
export const liveRoutes = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/{video_id}/live",
      tags: ["comments"],
      summary: "Join the video's live room (WebSocket)",
      description:
        'Messages: comment_added, comment_deleted, settings (each with seq), counters, status; with ?batch=1 one "batch" frame per tick; ?view=top samples at most 8 comments a second. Send {"type":"ping"} for {"type":"pong"}.',
      request: { params: VideoParams, query: JoinQuery },
      responses: { 101: { description: "Switching protocols" }, ...problems(400, 404, 426, 451) },
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
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{video_id}/live/events",
      tags: ["comments"],
      summary: "The room's events after a seq: what a client missed (the last 500 at least)",
      request: { params: VideoParams, query: LiveEventsQuery },
      responses: { 200: json(LiveEvents, "Events, oldest first"), ...problems(400, 404, 451) },
    }),
    async (c) => {
      const { after, limit } = c.req.valid("query");
      const deps = liveDeps(c.env, c.var.db);
      return c.json(await liveEvents(deps, c.req.valid("param").video_id, c.var.user, after, limit), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{video_id}/live/settings",
      tags: ["comments"],
      summary: "The live room's settings: slow mode and who may comment",
      request: { params: VideoParams },
      responses: { 200: json(LiveSettingsOut, "Settings"), ...problems(400, 404, 451) },
    }),
    async (c) => c.json(await liveSettings(liveDeps(c.env, c.var.db), c.req.valid("param").video_id, c.var.user), 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/{video_id}/live/settings",
      tags: ["comments"],
      summary: "Set slow mode and who may comment (the owner); pushed to the room as `settings`",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: VideoParams, body: jsonBody(LiveSettingsBody) },
      responses: { 200: json(LiveSettingsOut, "Settings"), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const deps = liveDeps(c.env, c.var.db);
      const settings = await updateLiveSettings(deps, c.req.valid("param").video_id, c.var.user, c.req.valid("json"));
      return c.json(settings, 200);
    },
  );
