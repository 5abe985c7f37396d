import { type VideoIndexMessage, VideoReadyMessage } from "../schemas/processing";
import { databaseOf, fanOutDeps } from "../services/deps";
import { startNewVideoFanOut } from "../services/notifications";
import { notifyReady } from "../services/processing";
import { consume } from "./consume";

/**
 * `video-ready` consumer (seed: Notification Service): "Your video is ready!" once per video,
 * and, for a public video, the start of the `new_video` fan-out to its channel's subscribers.
 */
export async function consumeVideoReady(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = databaseOf(env);
  const fanOut = fanOutDeps(env, db);
  await consume(batch, VideoReadyMessage, async (message) => {
    await notifyReady(db, message);
    await startNewVideoFanOut(fanOut, message.video_id);
    // Embedding waits for its own queue: a slow or failing model must not hold the notice back.
    await (env.VIDEO_INDEX_QUEUE as Queue<VideoIndexMessage>).send({ video_id: message.video_id });
  });
}
