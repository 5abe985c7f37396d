import type { VideoReadyMessage } from "../schemas/processing";
import { startNewVideoFanOut } from "../services/notifications";
import { notifyReady } from "../services/processing";
import { databaseOf, fanOutDeps } from "../wiring/deps";
import { send } from "../wiring/queues";

/**
 * `video-ready` (spec: Notification Service): "Your video is ready!" once per video, and, for
 * a public video, the start of the `new_video` fan-out to its channel's subscribers.
 */
export async function videoReady(message: VideoReadyMessage, env: Env): Promise<void> {
  const db = databaseOf(env);
  await notifyReady(db, message);
  await startNewVideoFanOut(fanOutDeps(env, db), message.video_id);
  // Embedding waits for its own queue: a slow or failing model must not hold the notice back.
  await send(env, "video-index", { video_id: message.video_id });
}
