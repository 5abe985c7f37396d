import type { VideoReadyMessage } from "../schemas/processing";
import { autoCaptionsOnReady } from "../services/auto-captions";
import { startNewVideoFanOut } from "../services/notifications";
import { notifyReady } from "../services/processing";
import { autoCaptionDeps, databaseOf, fanOutDeps, webhookHooksOf } from "../wiring/deps";
import { send } from "../wiring/queues";

/**
 * `video-ready` (spec: Notification Service): "Your video is ready!" once per video, the
 * `video.ready` webhook event, and, for a public video, the start of the `new_video` fan-out
 * to its channel's subscribers; with AUTO_CAPTIONS, its auto captions are queued.
 */
export async function videoReady(message: VideoReadyMessage, env: Env): Promise<void> {
  const db = databaseOf(env);
  await notifyReady(db, message);
  await startNewVideoFanOut(fanOutDeps(env, db), message.video_id);
  // The owner's webhooks: `video.ready`, once per video however often this message comes.
  await webhookHooksOf(env, db).videoReady(message);
  // Embedding waits for its own queue: a slow or failing model must not hold the notice back.
  await send(env, "video-index", { video_id: message.video_id });
  // So does transcription (AUTO_CAPTIONS): its own `captions` queue, once per video.
  await autoCaptionsOnReady(autoCaptionDeps(env, db), message.video_id);
}
