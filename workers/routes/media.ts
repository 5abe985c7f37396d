import { Hono } from "hono";
import type { AppEnv } from "../env";
import { notFound } from "../lib/errors";
import { ID_PATTERN } from "../lib/ids";
import { videoDeps } from "../services/deps";
import { serveMedia } from "../services/media";

/** `/videos/{video_id}/...`: master and rendition playlists, segments, thumbnails. */
export const mediaRoutes = new Hono<AppEnv>();

mediaRoutes.on(["GET", "HEAD"], "/:video_id/*", async (c) => {
  const videoId = c.req.param("video_id");
  if (!ID_PATTERN.test(videoId)) throw notFound("Video");
  const prefix = `/videos/${videoId}/`;
  return serveMedia({
    ...videoDeps(c.env, c.var.db),
    signingSecret: c.env.SIGNING_SECRET,
    videoId,
    path: c.req.path.slice(prefix.length),
    method: c.req.method === "HEAD" ? "HEAD" : "GET",
    headers: c.req.raw.headers,
    token: c.req.query("token"),
    origin: new URL(c.req.url).origin,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  });
});

mediaRoutes.options(
  "/:video_id/*",
  () =>
    new Response(null, {
      status: 204,
      headers: {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": "Range, If-None-Match, If-Modified-Since",
        "Access-Control-Max-Age": "86400",
      },
    }),
);
