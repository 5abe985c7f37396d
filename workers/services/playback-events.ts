import type { AuthUser, Database } from "../env";
import { notFound, problem, validationFailed } from "../lib/errors";
import { type PlaybackBatch, POSITION_SLACK_SECONDS } from "../schemas/analytics";
import type { AnalyticsSink, PlaybackEvent } from "../storage/analytics";
import { cached, cacheKeys } from "../storage/edge-cache";
import { findPlaybackFacts } from "../storage/videos";
import { accessOf, assertVisible } from "./videos";

export interface PlaybackEventDeps {
  db: Database;
  sink: AnalyticsSink;
}

/** What the Worker knows of the caller and stamps on each event (never taken from the body). */
export interface PlaybackContext {
  user?: AuthUser;
  region: string;
  device: string;
}

/** A video's channel and length change only while it is processed; an edit purges them anyway. */
const FACTS_CACHE_SECONDS = 300;

/**
 * A player's batch of events (API.md "Creator analytics"): the video must be one the caller
 * may see and play (a private video's events come only from its owner; a blocked one answers
 * 451 like its other routes), each position within the video's length (plus a little slack),
 * then one data point per event goes to the sink, stamped with the video's channel and length
 * and the caller's region and device. Public counters never read these events.
 */
export async function recordPlaybackEvents(
  deps: PlaybackEventDeps,
  videoId: string,
  batch: PlaybackBatch,
  context: PlaybackContext,
): Promise<number> {
  const access = await accessOf(deps.db, videoId);
  assertVisible(access, context.user);
  if (access.status !== "ready" && access.status !== "processing") {
    throw problem("not_playable", { detail: "The video cannot be played." });
  }
  const facts = await cached(cacheKeys.playback(videoId), FACTS_CACHE_SECONDS, () =>
    findPlaybackFacts(deps.db, videoId),
  );
  if (!facts) throw notFound("Video");
  const duration = facts.duration_ms === null ? 0 : facts.duration_ms / 1000;
  if (duration > 0) {
    const limit = duration + POSITION_SLACK_SECONDS;
    const past = batch.events.flatMap((e, i) =>
      (["position", "from"] as const)
        .filter((field) => (e[field] ?? 0) > limit)
        .map((field) => ({ name: `events.${i}.${field}`, reason: `must not be past the video's end (${duration} s)` })),
    );
    if (past.length) throw validationFailed(past, "An event lies past the end of the video.");
  }
  const events: PlaybackEvent[] = batch.events.map((e) => ({
    videoId,
    channelId: facts.channel_id,
    sessionId: batch.session_id,
    type: e.type,
    source: batch.source ?? "direct",
    region: context.region,
    device: context.device,
    rendition: e.rendition ?? null,
    errorCode: e.error_code ?? null,
    position: e.position,
    from: e.from ?? null,
    startupMs: e.startup_ms ?? null,
    rebufferMs: e.rebuffer_ms ?? null,
    duration,
    at: Date.parse(e.at),
  }));
  await deps.sink.write(events);
  return events.length;
}
