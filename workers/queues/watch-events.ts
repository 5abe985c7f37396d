import type { WatchEventMessage } from "../schemas/videos";
import { rollUpEvent } from "../services/engagement";
import { refreshRecommendations } from "../services/recommendations/recommend";
import { databaseOf } from "../wiring/deps";
import { coViewStore } from "../wiring/rooms";

/**
 * `watch-events` (seed: watch_events into Cassandra): rolls each event into its video's hour
 * (global and per region) for trending, and counted views into the viewer's recent window and
 * the co-views each video's room keeps for recommendations. Each event's id is recorded with its roll-up in one batch, so
 * a redelivered event adds nothing twice.
 */
export async function watchEvent(event: WatchEventMessage, env: Env): Promise<void> {
  await rollUpEvent({ db: databaseOf(env), coViews: coViewStore(env) }, event);
  await refreshRecommendations(env.CACHE, event);
}
