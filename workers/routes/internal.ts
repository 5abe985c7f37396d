import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError, validationFailed } from "../lib/errors";
import { ID_PATTERN } from "../lib/ids";
import { verifyScope } from "../lib/signing";
import { TranscoderEvent } from "../schemas/processing";
import { processingDeps } from "../services/deps";
import { applyEvent, deleteMedia } from "../services/processing";
import { contentTypeOf } from "../storage/media-types";
import { findVideo } from "../storage/processing";
import { MEDIA_PATH, mediaKey } from "../storage/r2-keys";

/** The largest single output the transcoder may write (a segment, a sprite, a playlist). */
const MAX_OBJECT_BYTES = 1024 ** 3;

const forbiddenUrl = () =>
  new AppError(403, "invalid_signature", "Forbidden", "The URL is not signed for this, or it has expired.");

/**
 * The transcoder's side door: signed, short-lived URLs scoped to one video and one of
 * `source` (read the upload), `media` (write or clear outputs), `events` (report progress).
 * Not part of the public API and not in the OpenAPI document.
 */
export const internalRoutes = new Hono<AppEnv>();

internalRoutes.use("/videos/:video_id/*", async (c, next) => {
  const videoId = c.req.param("video_id");
  // The scope is the path segment after the id: source, media or events.
  const scope = c.req.path.split("/")[5] ?? "";
  if (!ID_PATTERN.test(videoId) || !["source", "media", "events"].includes(scope)) throw forbiddenUrl();
  if (!(await verifyScope(c.env.SIGNING_SECRET, videoId, scope, c.req.query("exp"), c.req.query("sig"))))
    throw forbiddenUrl();
  await next();
});

internalRoutes.get("/videos/:video_id/source", async (c) => {
  const video = await findVideo(c.var.db, c.req.param("video_id"));
  if (!video?.sourceKey) throw new AppError(404, "not_found", "Not found", "The video has no source.");
  const object = await c.env.MEDIA.get(video.sourceKey);
  if (!object) throw new AppError(404, "not_found", "Not found", "The source object is missing.");
  return new Response(object.body, {
    headers: {
      "Content-Type": object.httpMetadata?.contentType ?? "application/octet-stream",
      "Content-Length": String(object.size),
    },
  });
});

internalRoutes.put("/videos/:video_id/media/*", async (c) => {
  const videoId = c.req.param("video_id");
  const path = c.req.path.slice(c.req.path.indexOf("/media/") + "/media/".length);
  if (!MEDIA_PATH.test(path)) throw validationFailed([{ name: "path", reason: "must be a relative media path" }]);
  const length = Number(c.req.header("Content-Length"));
  if (!Number.isInteger(length) || length < 0) {
    throw new AppError(411, "length_required", "Length required", "Send Content-Length with the object.");
  }
  if (length > MAX_OBJECT_BYTES) throw new AppError(413, "object_too_large", "Too large", "The object is over 1 GiB.");
  const video = await findVideo(c.var.db, videoId);
  // Outputs for a video that was deleted or has ended are refused, not stored as orphans.
  if (video?.status !== "processing")
    throw new AppError(409, "not_processing", "Not processing", "The video is not processing.");
  await c.env.MEDIA.put(mediaKey(videoId, path), c.req.raw.body ?? new Uint8Array(), {
    httpMetadata: { contentType: c.req.header("Content-Type") ?? contentTypeOf(path) },
  });
  return c.body(null, 201);
});

internalRoutes.delete("/videos/:video_id/media", async (c) => {
  await deleteMedia(c.env.MEDIA, c.req.param("video_id"));
  return c.body(null, 204);
});

internalRoutes.post("/videos/:video_id/events", async (c) => {
  const parsed = TranscoderEvent.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) {
    throw validationFailed(parsed.error.issues.map((i) => ({ name: i.path.join(".") || "body", reason: i.message })));
  }
  await applyEvent(processingDeps(c.env, c.var.db), c.req.param("video_id"), parsed.data);
  return c.body(null, 204);
});
