import type { Bindings } from "../env";

/**
 * Routes each batch to its queue's consumer. The video-upload consumer (dispatch to the
 * transcoder) arrives with the processing issue; until then its messages are retried so
 * that none is lost.
 */
export async function handleQueue(batch: MessageBatch<unknown>, _env: Bindings): Promise<void> {
  switch (batch.queue) {
    default:
      for (const message of batch.messages) message.retry({ delaySeconds: 60 });
  }
}
