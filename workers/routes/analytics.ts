import { createRoute } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { deviceOf } from "../lib/device";
import { invalid, problem, validationFailed } from "../lib/errors";
import { router } from "../lib/openapi";
import { regionOf } from "../lib/region";
import { requireAuth } from "../middleware/auth";
import { RATE_RULES, rateLimit } from "../middleware/rate-limit";
import {
  AnalyticsRangeQuery,
  ChannelAnalytics,
  MAX_PLAYBACK_BODY_BYTES,
  PlaybackBatch,
  VideoAnalytics,
} from "../schemas/analytics";
import { bearer, json, problems } from "../schemas/common";
import { VideoParams } from "../schemas/processing";
import { channelAnalytics, videoAnalytics } from "../services/analytics";
import { recordPlaybackEvents } from "../services/playback-events";
import { analyticsDeps, playbackEventDeps } from "../wiring/deps";

/** A body over 64 KB, by its Content-Length or as it streams in: 413 before anything is parsed. */
const limitBody = bodyLimit({
  maxSize: MAX_PLAYBACK_BODY_BYTES,
  onError: () => {
    throw problem("payload_too_large", { detail: `A batch of events holds at most ${MAX_PLAYBACK_BODY_BYTES} bytes.` });
  },
});

/** Creator analytics' player events (API.md). Mounted at /api/v1/videos. */
export const analyticsRoutes = router().openapi(
  createRoute({
    method: "post",
    path: "/{video_id}/playback-events",
    tags: ["analytics"],
    summary: "A batch of player events (start, heartbeat, seek, pause, end, rebuffer, error); anonymous allowed",
    description:
      "At most 100 events and 64 KB. `text/plain` is accepted too, as `navigator.sendBeacon` sends a string. " +
      "Each event becomes one data point of creator analytics; public view counts never read them.",
    middleware: [rateLimit(RATE_RULES.playbackEvents), limitBody] as const,
    request: {
      params: VideoParams,
      body: {
        // Required in fact (an empty body is a 400); declared optional so that the JSON
        // validator lets a text/plain beacon through to the handler, which validates it alike.
        required: false,
        content: { "application/json": { schema: PlaybackBatch }, "text/plain": { schema: PlaybackBatch } },
      },
    },
    responses: { 204: { description: "Recorded" }, ...problems(400, 404, 409, 413, 415, 429, 451) },
  }),
  async (c) => {
    let batch: PlaybackBatch;
    if (/^application\/json/i.test(c.req.header("Content-Type") ?? "")) {
      batch = c.req.valid("json");
    } else {
      // sendBeacon's string body: the same JSON, validated by the same schema.
      let parsed: unknown;
      try {
        parsed = JSON.parse(await c.req.text());
      } catch {
        throw validationFailed([{ name: "body", reason: "must be JSON" }], "The body is not JSON.");
      }
      const result = PlaybackBatch.safeParse(parsed);
      if (!result.success) throw invalid(result.error);
      batch = result.data;
    }
    await recordPlaybackEvents(playbackEventDeps(c.env, c.var.db), c.req.valid("param").video_id, batch, {
      user: c.var.user,
      region: regionOf(c.req.raw),
      device: deviceOf(c.req.header("User-Agent")),
    });
    return c.body(null, 204);
  },
);

/** The studio's reads of creator analytics (API.md). Mounted at /api/v1/studio. */
export const studioAnalyticsRoutes = router()
  .openapi(
    createRoute({
      method: "get",
      path: "/videos/{video_id}/analytics",
      tags: ["analytics"],
      summary: "A video's analytics: views and watch time over time, retention, audience, playback quality (owner)",
      description:
        "From the player events of the range (`from` inclusive, `to` exclusive; the last 28 days by default), " +
        "within 5 minutes of the views. `sampled: true` when Analytics Engine sampled the events: the figures are " +
        "then estimates. Public view counts are not these. 403 to anyone but the owner (404 for a private video), " +
        "503 `analytics_unavailable` where no analytics store is set up or it did not answer.",
      security: bearer,
      middleware: [requireAuth, rateLimit(RATE_RULES.analytics)] as const,
      request: { params: VideoParams, query: AnalyticsRangeQuery },
      responses: { 200: json(VideoAnalytics, "The video's figures"), ...problems(400, 401, 403, 404, 429, 503) },
    }),
    async (c) => {
      const answer = await videoAnalytics(
        analyticsDeps(c.env, c.var.db),
        c.var.user,
        c.req.valid("param").video_id,
        c.req.valid("query"),
      );
      return c.json(answer, 200, { "Cache-Control": "private, no-store" });
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/analytics",
      tags: ["analytics"],
      summary: "The caller's channel's analytics: the same figures over all its videos, with its top videos",
      description: "The same range rules and answers as a video's analytics; `top_videos` are the 10 most viewed.",
      security: bearer,
      middleware: [requireAuth, rateLimit(RATE_RULES.analytics)] as const,
      request: { query: AnalyticsRangeQuery },
      responses: { 200: json(ChannelAnalytics, "The channel's figures"), ...problems(400, 401, 404, 429, 503) },
    }),
    async (c) => {
      const answer = await channelAnalytics(analyticsDeps(c.env, c.var.db), c.var.user, c.req.valid("query"));
      return c.json(answer, 200, { "Cache-Control": "private, no-store" });
    },
  );
