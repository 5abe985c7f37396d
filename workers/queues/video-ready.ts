import { VideoReadyMessage } from "../schemas/processing";
import { databaseOf } from "../services/deps";
import { notifyReady } from "../services/processing";
import { consume } from "./consume";

/** `video-ready` consumer (seed: Notification Service): "Your video is ready!" once per video. */
export async function consumeVideoReady(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = databaseOf(env);
  await consume(batch, VideoReadyMessage, (message) => notifyReady(db, message));
}
