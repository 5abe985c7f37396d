import { WatchEventMessage } from "../schemas/videos";
import { databaseOf } from "../services/deps";
import { rollUpEvent } from "../services/engagement";

/**
 * `watch-events` consumer (seed: watch_events into Cassandra): rolls each event into its
 * video's hour for trending and recommendations. Each event's id is recorded with its
 * roll-up in one batch, so a redelivered batch adds nothing twice.
 */
export async function consumeWatchEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = WatchEventMessage.safeParse(message.body);
    if (!parsed.success) {
      message.ack();
      continue;
    }
    try {
      await rollUpEvent(databaseOf(env), parsed.data);
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "error", msg: "watch-events roll-up failed", error: String(err) }));
      message.retry({ delaySeconds: Math.min(300, 5 * 2 ** message.attempts) });
    }
  }
}
