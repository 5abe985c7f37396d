import { Hono } from "hono";
import { ID_PATTERN } from "../../contracts/ids";
import { TranscoderEvent } from "../../contracts/transcoder";
import type { AppEnv } from "../env";
import { invalid, problem } from "../lib/errors";
import { verifyScope } from "../lib/signing";
import { clearOutputs, readSource, storeAudioChunk, storeOutput } from "../services/outputs";
import { applyEvent } from "../services/processing";
import { processingDeps, videoDeps } from "../wiring/deps";

const forbiddenUrl = () =>
  problem("invalid_signature", { detail: "The URL is not signed for this, or it has expired." });

/**
 * The transcoder's side door: signed, short-lived URLs scoped to one video and one of
 * `source` (read the upload), `media` (write or clear outputs), `events` (report progress),
 * `audio` (write the audio chunks of a transcription for Whisper: auto captions).
 * Not part of the public API and not in the OpenAPI document.
 */
export const internalRoutes = new Hono<AppEnv>();

internalRoutes.use("/videos/:video_id/*", async (c, next) => {
  const videoId = c.req.param("video_id");
  // The scope is the path segment after the id: source, media, events or audio.
  const scope = c.req.path.split("/")[5] ?? "";
  if (!ID_PATTERN.test(videoId) || !["source", "media", "events", "audio"].includes(scope)) throw forbiddenUrl();
  if (!(await verifyScope(c.env.SIGNING_SECRET, videoId, scope, c.req.query("exp"), c.req.query("sig"))))
    throw forbiddenUrl();
  await next();
});

internalRoutes.get("/videos/:video_id/source", (c) => readSource(videoDeps(c.env, c.var.db), c.req.param("video_id")));

internalRoutes.put("/videos/:video_id/media/*", async (c) => {
  const length = c.req.header("Content-Length");
  await storeOutput(videoDeps(c.env, c.var.db), c.req.param("video_id"), {
    path: c.req.path.slice(c.req.path.indexOf("/media/") + "/media/".length),
    length: length === undefined ? undefined : Number(length),
    contentType: c.req.header("Content-Type"),
    body: c.req.raw.body,
  });
  return c.body(null, 201);
});

internalRoutes.put("/videos/:video_id/audio/:name", async (c) => {
  const length = c.req.header("Content-Length");
  await storeAudioChunk(videoDeps(c.env, c.var.db), c.req.param("video_id"), c.req.param("name"), {
    length: length === undefined ? undefined : Number(length),
    body: c.req.raw.body,
  });
  return c.body(null, 201);
});

internalRoutes.delete("/videos/:video_id/media", async (c) => {
  await clearOutputs(videoDeps(c.env, c.var.db), c.req.param("video_id"));
  return c.body(null, 204);
});

internalRoutes.post("/videos/:video_id/events", async (c) => {
  const parsed = TranscoderEvent.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) {
    throw invalid(parsed.error);
  }
  await applyEvent(processingDeps(c.env, c.var.db), c.req.param("video_id"), parsed.data);
  return c.body(null, 204);
});
