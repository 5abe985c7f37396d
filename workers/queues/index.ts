import type { Bindings } from "../env";
import { consumeVideoUpload, consumeVideoUploadDeadLetters } from "./video-upload";

/** Routes each batch to its queue's consumer. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  switch (batch.queue) {
    case "video-upload":
      return consumeVideoUpload(batch, env);
    case "video-upload-dlq":
      return consumeVideoUploadDeadLetters(batch, env);
    default:
      // video-ready and watch-events consumers arrive with their issues; until then their
      // messages wait (and end in their dead-letter queues) rather than vanish.
      for (const message of batch.messages) message.retry({ delaySeconds: 300 });
  }
}
