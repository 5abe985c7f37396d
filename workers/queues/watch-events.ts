import { errorField, log } from "../lib/log";
import type { WatchEventMessage } from "../schemas/videos";
import { rollUpEvents } from "../services/engagement";
import { refreshRecommendations } from "../services/recommendations/recommend";
import { coViewStore, roomOf } from "../wiring/rooms";
import { viewerWindows } from "../wiring/windows";
import { type Fate, retryDelay } from "./consume";
import type { BatchHandler } from "./index";

/**
 * `watch-events` (seed: watch_events into Cassandra): a batch at a time, each video's events
 * go to its room in one call, which rolls them into its hours (for trending; what they add to
 * each day reaches D1 with its flush) and counts each event once, so a redelivered event adds
 * nothing twice; counted views then go into the viewer's recent window and the co-views each
 * video's room keeps for recommendations. An event that failed is delivered again.
 */
export const watchEvents: BatchHandler<WatchEventMessage> = {
  async batch(bodies, env) {
    const failed = await rollUpEvents(
      {
        rollUp: (videoId, events) => roomOf(env, videoId).rollUp(events),
        windows: viewerWindows(env),
        coViews: coViewStore(env),
      },
      bodies,
    );
    const fates: Fate[] = [];
    for (const [i, event] of bodies.entries()) {
      const err = failed[i];
      if (err === undefined) {
        await refreshRecommendations(env.CACHE, event);
        fates.push({ ack: true });
        continue;
      }
      log("error", "watch event not rolled up", { id: event.id, video_id: event.video_id, error: errorField(err) });
      fates.push({ retryAfterSeconds: retryDelay(1), reason: "roll-up failed" });
    }
    return fates;
  },
};
