import { createRoute } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { deviceOf } from "../lib/device";
import { invalid, problem, validationFailed } from "../lib/errors";
import { router } from "../lib/openapi";
import { regionOf } from "../lib/region";
import { RATE_RULES, rateLimit } from "../middleware/rate-limit";
import { MAX_PLAYBACK_BODY_BYTES, PlaybackBatch } from "../schemas/analytics";
import { problems } from "../schemas/common";
import { VideoParams } from "../schemas/processing";
import { recordPlaybackEvents } from "../services/playback-events";
import { playbackEventDeps } from "../wiring/deps";

/** A body over 64 KB, by its Content-Length or as it streams in: 413 before anything is parsed. */
const limitBody = bodyLimit({
  maxSize: MAX_PLAYBACK_BODY_BYTES,
  onError: () => {
    throw problem("payload_too_large", { detail: `A batch of events holds at most ${MAX_PLAYBACK_BODY_BYTES} bytes.` });
  },
});

/** Creator analytics (API.md). Mounted at /api/v1/videos. */
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
