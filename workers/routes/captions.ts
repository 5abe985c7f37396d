import { createRoute, z } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { requireAuth } from "../middleware/auth";
import { RATE_RULES, rateLimit } from "../middleware/rate-limit";
import {
  CaptionList,
  CaptionParams,
  CaptionQuery,
  CaptionTrack,
  GenerateBody,
  Transcript,
  TranscriptQuery,
} from "../schemas/captions";
import { bearer, json, jsonBody, problems } from "../schemas/common";
import { VideoParams } from "../schemas/processing";
import { requestAutoCaptions } from "../services/auto-captions";
import * as captions from "../services/captions";
import { autoCaptionDeps, captionDeps } from "../wiring/deps";

const origin = (url: string) => new URL(url).origin;
const file = { schema: z.string().openapi({ format: "binary" }) };

/** Captions and transcripts (API.md). Mounted at /api/v1/videos. */
export const captionRoutes = router()
  .openapi(
    createRoute({
      method: "post",
      path: "/{video_id}/captions/generate",
      tags: ["captions"],
      summary: "Transcribe the video into auto captions (owner)",
      description:
        "202 once the track (`source: auto`) is `processing`; it becomes `ready` or `failed`, and the owner gets a " +
        "`captions_ready` notification. 503 `captions_unavailable` where no transcription engine is set up or " +
        "none knows the language; 409 `not_ready` before the video is ready, `captions_exist` where captions " +
        "were uploaded for the language (an uploaded track is never replaced by an auto one).",
      security: bearer,
      middleware: [requireAuth, rateLimit(RATE_RULES.captionsGenerate)] as const,
      request: { params: VideoParams, body: jsonBody(GenerateBody) },
      responses: { 202: { description: "Transcription queued" }, ...problems(400, 401, 403, 404, 409, 429, 503) },
    }),
    async (c) => {
      await requestAutoCaptions(
        autoCaptionDeps(c.env, c.var.db, origin(c.req.url)),
        c.var.user,
        c.req.valid("param").video_id,
        c.req.valid("json").language,
      );
      return c.body(null, 202);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/{video_id}/captions/{language}",
      tags: ["captions"],
      summary: "Upload or replace the captions of one language (owner)",
      description:
        "A WebVTT or SRT file of at most 2 MB, converted to WebVTT. A file that cannot be used is 400 " +
        "`invalid_captions` with top-level `line` (1-based) and `reason`; over 2 MB, 413 `file_too_large`.",
      security: bearer,
      middleware: [requireAuth] as const,
      request: {
        params: CaptionParams,
        query: CaptionQuery,
        body: { required: true, content: { "text/vtt": file, "application/x-subrip": file } },
      },
      responses: { 200: json(CaptionTrack, "The stored track"), ...problems(400, 401, 403, 404, 413, 415) },
    }),
    async (c) => {
      const { video_id, language } = c.req.valid("param");
      const length = c.req.header("Content-Length");
      const track = await captions.putTrack(
        captionDeps(c.env, c.var.db, origin(c.req.url)),
        c.var.user,
        video_id,
        language,
        {
          label: c.req.valid("query").label,
          contentType: c.req.header("Content-Type"),
          contentLength: length === undefined ? undefined : Number(length),
          body: c.req.raw.body,
        },
        origin(c.req.url),
      );
      return c.json(track, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{video_id}/captions/{language}",
      tags: ["captions"],
      summary: "Remove the captions of one language (owner)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: CaptionParams },
      responses: { 204: { description: "Removed" }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { video_id, language } = c.req.valid("param");
      await captions.deleteTrack(captionDeps(c.env, c.var.db, origin(c.req.url)), c.var.user, video_id, language);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{video_id}/captions",
      tags: ["captions"],
      summary: "A video's caption tracks",
      request: { params: VideoParams },
      responses: { 200: json(CaptionList, "The tracks, by language"), ...problems(400, 404, 451) },
    }),
    async (c) => {
      const { video_id } = c.req.valid("param");
      const list = await captions.listTracks(c.var.db, video_id, c.var.user, origin(c.req.url), c.env.SIGNING_SECRET);
      return c.json(list, 200, { "Cache-Control": "private, no-cache" });
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{video_id}/transcript",
      tags: ["captions"],
      summary: "A track's cues as plain text (seconds)",
      request: { params: VideoParams, query: TranscriptQuery },
      responses: { 200: json(Transcript, "The transcript"), ...problems(400, 404, 451) },
    }),
    async (c) => {
      const { video_id } = c.req.valid("param");
      const out = await captions.transcript(
        c.var.db,
        c.env.CAPTIONS,
        video_id,
        c.var.user,
        c.req.valid("query").language,
      );
      return c.json(out, 200, { "Cache-Control": "private, no-cache" });
    },
  );
