import { WatchEventMessage } from "../schemas/videos";
import { databaseOf } from "../services/deps";
import { rollUpEvent } from "../services/engagement";
import { refreshRecommendations } from "../services/recommendations/recommend";
import { consume } from "./consume";

/**
 * `watch-events` consumer (seed: watch_events into Cassandra): rolls each event into its
 * video's hour (global and per region) for trending, and counted views into the viewer's
 * recent window and co-views for recommendations. Each event's id is recorded with its
 * roll-up in one batch, so a redelivered batch adds nothing twice.
 */
export async function consumeWatchEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = databaseOf(env);
  await consume(batch, WatchEventMessage, async (event) => {
    await rollUpEvent(db, event);
    await refreshRecommendations(env.CACHE, event);
  });
}
