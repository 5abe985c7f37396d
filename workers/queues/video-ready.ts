import { VideoReadyMessage } from "../schemas/processing";
import { databaseOf } from "../services/deps";
import { notifyReady } from "../services/processing";

/** `video-ready` consumer (seed: Notification Service): "Your video is ready!" once per video. */
export async function consumeVideoReady(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = databaseOf(env);
  for (const message of batch.messages) {
    const parsed = VideoReadyMessage.safeParse(message.body);
    if (!parsed.success) {
      message.ack();
      continue;
    }
    try {
      await notifyReady(db, parsed.data);
      message.ack();
    } catch {
      message.retry({ delaySeconds: Math.min(300, 5 * 2 ** message.attempts) });
    }
  }
}
