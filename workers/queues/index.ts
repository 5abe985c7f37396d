import type { Bindings } from "../env";
import { consumeVideoReady } from "./video-ready";
import { consumeVideoUpload, consumeVideoUploadDeadLetters } from "./video-upload";

/** Routes each batch to its queue's consumer. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  switch (batch.queue) {
    case "video-upload":
      return consumeVideoUpload(batch, env);
    case "video-upload-dlq":
      return consumeVideoUploadDeadLetters(batch, env);
    case "video-ready":
      return consumeVideoReady(batch, env);
    default:
      // The watch-events consumer arrives with the streaming issue; until then its
      // messages wait (and end in the dead-letter queue) rather than vanish.
      for (const message of batch.messages) message.retry({ delaySeconds: 300 });
  }
}
