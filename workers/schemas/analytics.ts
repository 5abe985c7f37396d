import { z } from "@hono/zod-openapi";

/** API.md "Creator analytics": what a player reports. */
export const PLAYBACK_EVENT_TYPES = ["start", "heartbeat", "seek", "pause", "end", "rebuffer", "error"] as const;
/** Where a view came from (API.md); `direct` when the player cannot tell. */
export const TRAFFIC_SOURCES = [
  "home",
  "search",
  "recommended",
  "related",
  "subscriptions",
  "channel",
  "playlist",
  "external",
  "direct",
] as const;

/** At most this many events in one batch, and this many bytes of body (API.md). */
export const MAX_PLAYBACK_EVENTS = 100;
export const MAX_PLAYBACK_BODY_BYTES = 64 * 1024;
/** How far an event's `at` may lie from the server's clock: a day back (a batch kept offline), ten minutes ahead (skew). */
export const PLAYBACK_AT_PAST_MS = 24 * 3600_000;
export const PLAYBACK_AT_FUTURE_MS = 10 * 60_000;
/** A position may pass the video's stored duration by this much (the player's and the prober's lengths differ). */
export const POSITION_SLACK_SECONDS = 5;

/** The longest video the platform takes is 4 hours; positions are bounded at twice that before the video's own length is known. */
const Seconds = z
  .number()
  .min(0, "must be 0 or more")
  .max(2 * 86_400);

export const PlaybackEventIn = z
  .object({
    type: z.enum(PLAYBACK_EVENT_TYPES),
    position: Seconds.openapi({ description: "Seconds into the video; for a seek, where it landed" }),
    at: z.iso.datetime({ offset: true, error: "must be an ISO-8601 time" }),
    from: Seconds.optional().openapi({ description: "A seek's starting point, seconds" }),
    startup_ms: z
      .number()
      .min(0)
      .max(10 * 60_000)
      .optional()
      .openapi({ description: "start: from navigation to the first frame" }),
    rebuffer_ms: z
      .number()
      .min(0)
      .max(3600_000)
      .optional()
      .openapi({ description: "rebuffer: how long playback stalled" }),
    rendition: z
      .string()
      .regex(/^[0-9]{2,4}p$/, "must be a height such as 720p")
      .optional(),
    error_code: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be 1-64 letters, digits or _.:-")
      .optional(),
  })
  .superRefine((e, ctx) => {
    const at = Date.parse(e.at);
    const now = Date.now();
    if (at < now - PLAYBACK_AT_PAST_MS || at > now + PLAYBACK_AT_FUTURE_MS) {
      ctx.addIssue({ code: "custom", path: ["at"], message: "must be within the last day (and not in the future)" });
    }
    if (e.type === "seek" && e.from === undefined) {
      ctx.addIssue({ code: "custom", path: ["from"], message: "a seek says where it left from" });
    }
    if (e.type === "rebuffer" && e.rebuffer_ms === undefined) {
      ctx.addIssue({ code: "custom", path: ["rebuffer_ms"], message: "a rebuffer says how long it lasted" });
    }
    if (e.type === "error" && e.error_code === undefined) {
      ctx.addIssue({ code: "custom", path: ["error_code"], message: "an error says which" });
    }
  })
  .openapi("PlaybackEvent");

export const PlaybackBatch = z
  .object({
    session_id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 URL-safe characters (one per playback)")
      .openapi({ example: "3f0b8c1e-7a2d-4c55-9e61-0b2f4a9d7c10" }),
    events: z
      .array(PlaybackEventIn)
      .min(1, "must hold at least one event")
      .max(MAX_PLAYBACK_EVENTS, `must hold at most ${MAX_PLAYBACK_EVENTS} events`),
    source: z.enum(TRAFFIC_SOURCES).optional(),
  })
  .openapi("PlaybackEvents");

export type PlaybackBatch = z.infer<typeof PlaybackBatch>;
