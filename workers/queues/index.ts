import { consumeFanOut } from "./notification-fanout";
import { consumeVideoIndex } from "./video-index";
import { consumeVideoReady } from "./video-ready";
import { consumeVideoUpload, consumeVideoUploadDeadLetters } from "./video-upload";
import { consumeWatchEvents } from "./watch-events";

/** Routes each batch to its queue's consumer. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  switch (batch.queue) {
    case "video-upload":
      return consumeVideoUpload(batch, env);
    case "video-upload-dlq":
      return consumeVideoUploadDeadLetters(batch, env);
    case "video-ready":
      return consumeVideoReady(batch, env);
    case "notification-fanout":
      return consumeFanOut(batch, env);
    case "video-index":
      return consumeVideoIndex(batch, env);
    case "watch-events":
      return consumeWatchEvents(batch, env);
    default:
      // A queue with no consumer of its own (the other dead-letter queues): keep its
      // messages for a person to look at rather than drop them.
      for (const message of batch.messages) message.retry({ delaySeconds: 3600 });
  }
}
