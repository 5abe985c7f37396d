import { createRoute } from "@hono/zod-openapi";
import { getCookie, setCookie } from "hono/cookie";
import { router } from "../lib/openapi";
import { regionOf } from "../lib/region";
import { anonymousViewerId } from "../lib/signing";
import { requireAuth } from "../middleware/auth";
import { clientIp } from "../middleware/rate-limit";
import { bearer, json, jsonBody, problems } from "../schemas/common";
import { StatusOut, VideoParams } from "../schemas/processing";
import { LikeBody, LikeOut, VideoEditBody, VideoOut, WatchPositionBody } from "../schemas/videos";
import * as engagement from "../services/engagement";
import * as processing from "../services/processing";
import * as videos from "../services/videos";
import { editHooks, engagementDeps, videoDeps } from "../wiring/deps";
import { userHistoryOf } from "../wiring/history";

/**
 * An anonymous player's cookie (one per video: its path is the video's heartbeat): the hour
 * whose view mark the video's room has for it, so its other heartbeats that hour skip the room.
 */
const VIEW_MARK_COOKIE = "view_mark";

/** Mounted at /api/v1/videos (the upload sub-app takes /api/v1/videos/upload first). */
export const videoRoutes = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/{video_id}",
      tags: ["videos"],
      summary: "A video's page data (spec: Video Streaming Flow)",
      request: { params: VideoParams },
      responses: { 200: json(VideoOut, "The video"), ...problems(400, 404) },
    }),
    async (c) => {
      const { video_id } = c.req.valid("param");
      const origin = new URL(c.req.url).origin;
      const page = await videos.videoPage(c.var.db, video_id, c.var.user, origin, c.env.SIGNING_SECRET, (userId) =>
        userHistoryOf(c.env, userId),
      );
      return c.json(page, 200, { "Cache-Control": "private, no-cache" });
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{video_id}",
      tags: ["videos"],
      summary: "Edit a video's details (owner)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: VideoParams, body: jsonBody(VideoEditBody) },
      responses: { 200: json(VideoOut, "The edited video"), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { video_id } = c.req.valid("param");
      await videos.editVideo(c.var.db, c.var.user.id, video_id, c.req.valid("json"), editHooks(c.env, c.var.db));
      const origin = new URL(c.req.url).origin;
      return c.json(
        await videos.videoPage(c.var.db, video_id, c.var.user, origin, c.env.SIGNING_SECRET, (userId) =>
          userHistoryOf(c.env, userId),
        ),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{video_id}",
      tags: ["videos"],
      summary: "Delete a video and everything of it (owner)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: VideoParams },
      responses: { 204: { description: "Deleted" }, ...problems(401, 403, 404) },
    }),
    async (c) => {
      await videos.deleteVideo(videoDeps(c.env, c.var.db), c.var.user.id, c.req.valid("param").video_id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{video_id}/status",
      tags: ["processing"],
      summary: "Processing status and progress (spec: Processing Status Updates)",
      request: { params: VideoParams },
      responses: { 200: json(StatusOut, "The status"), ...problems(400, 404) },
    }),
    async (c) => {
      const { video_id } = c.req.valid("param");
      const status = await processing.publicStatus(c.var.db, video_id, c.var.user, (p) => c.executionCtx.waitUntil(p));
      return c.json(StatusOut.parse(status), 200, { "Cache-Control": "no-store" });
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{video_id}/watch-position",
      tags: ["engagement"],
      summary:
        "Report the playback position (the watch page: every 10 s until the view counts, then every 30 s, and on pause and leave)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: VideoParams, body: jsonBody(WatchPositionBody) },
      responses: { 204: { description: "Recorded" }, ...problems(400, 401, 404, 409) },
    }),
    async (c) => {
      const deps = engagementDeps(c.env, c.var.db);
      const viewer = { user: c.var.user, region: regionOf(c.req.raw) };
      await engagement.reportPosition(deps, c.req.valid("param").video_id, viewer, c.req.valid("json"));
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{video_id}/heartbeat",
      tags: ["engagement"],
      summary: "Report playback without an account (counts views; keeps no history)",
      description:
        "Like watch-position, for anonymous players: the viewer is a daily keyed hash of address and user agent.",
      request: { params: VideoParams, body: jsonBody(WatchPositionBody) },
      responses: { 204: { description: "Recorded" }, ...problems(400, 404, 409) },
    }),
    async (c) => {
      const deps = engagementDeps(c.env, c.var.db);
      const region = regionOf(c.req.raw);
      const hinted = Number(getCookie(c, VIEW_MARK_COOKIE));
      const markedHour = Number.isSafeInteger(hinted) && hinted > 0 ? hinted : undefined;
      const viewer = c.var.user
        ? { user: c.var.user, region }
        : { anonymousId: await anonymousOf(c.env.SIGNING_SECRET, c.req.raw), region, markedHour };
      const done = await engagement.reportPosition(deps, c.req.valid("param").video_id, viewer, c.req.valid("json"));
      // The hour whose view mark the room has: the next heartbeats of this hour need not ask it.
      if (!c.var.user && done.markedHour !== null && done.markedHour !== markedHour) {
        const url = new URL(c.req.url);
        setCookie(c, VIEW_MARK_COOKIE, String(done.markedHour), {
          path: url.pathname,
          httpOnly: true,
          sameSite: "Lax",
          secure: url.protocol === "https:",
          maxAge: 3600,
        });
      }
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{video_id}/like",
      tags: ["engagement"],
      summary: "Like (1), dislike (-1) or neither (0)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: VideoParams, body: jsonBody(LikeBody) },
      responses: { 200: json(LikeOut, "The counts and your value"), ...problems(400, 401, 404) },
    }),
    async (c) => {
      const deps = engagementDeps(c.env, c.var.db);
      return c.json(
        await engagement.like(
          deps,
          c.req.valid("param").video_id,
          c.var.user,
          c.req.valid("json").value,
          regionOf(c.req.raw),
        ),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{video_id}/share",
      tags: ["engagement"],
      summary: "Count a share",
      request: { params: VideoParams },
      responses: { 204: { description: "Counted" }, ...problems(400, 404) },
    }),
    async (c) => {
      const deps = engagementDeps(c.env, c.var.db);
      const viewerKey = c.var.user ? `u:${c.var.user.id}` : `a:${await anonymousOf(c.env.SIGNING_SECRET, c.req.raw)}`;
      await engagement.share(deps, c.req.valid("param").video_id, c.var.user, viewerKey, regionOf(c.req.raw));
      return c.body(null, 204);
    },
  );

const anonymousOf = (secret: string, request: Request) =>
  anonymousViewerId(secret, clientIp(request), request.headers.get("User-Agent") ?? "");
