import { Hono } from "hono";
import { ID_PATTERN } from "../../contracts/ids";
import type { AppEnv } from "../env";
import { notFound } from "../lib/errors";
import { MEDIA_CORS, serveMedia } from "../services/media";
import { mediaDeps } from "../wiring/deps";

/** `/videos/{video_id}/...`: master and rendition playlists, segments, thumbnails. */
export const mediaRoutes = new Hono<AppEnv>();

// Refusals too (an expired token, a private or missing video): a player on another origin
// must be able to read the status to tell the viewer why.
mediaRoutes.use("*", async (c, next) => {
  await next();
  // Served media has them already (serveMedia's last step); only refusals lack them.
  if (c.res.headers.has("Access-Control-Allow-Origin")) return;
  for (const [name, value] of Object.entries(MEDIA_CORS)) c.res.headers.set(name, value);
});

mediaRoutes.on(["GET", "HEAD"], "/:video_id/*", async (c) => {
  const videoId = c.req.param("video_id");
  if (!ID_PATTERN.test(videoId)) throw notFound("Video");
  const prefix = `/videos/${videoId}/`;
  return serveMedia({
    ...mediaDeps(c.env, c.var.db),
    signingSecret: c.env.SIGNING_SECRET,
    videoId,
    path: c.req.path.slice(prefix.length),
    method: c.req.method === "HEAD" ? "HEAD" : "GET",
    headers: c.req.raw.headers,
    token: c.req.query("token"),
    // The scheme and host: up to the path's first slash (no URL parse on the hot path).
    origin: c.req.url.slice(0, c.req.url.indexOf("/", c.req.url.indexOf("//") + 2)),
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
