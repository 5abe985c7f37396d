import type { Bindings } from "../env";
import { VideoUploadMessage } from "../schemas/uploads";
import { database } from "../storage/db";
import { failJob, findVideoStatus, recordDelivery } from "../storage/jobs";

/**
 * `video-upload` consumer (seed: "Video processing worker consumes event"). Idempotent: the
 * job row is keyed by video, so a redelivery only counts another attempt. Starting the
 * transcoder from here is the processing pipeline's part.
 */
export async function consumeVideoUpload(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    const parsed = VideoUploadMessage.safeParse(message.body);
    if (!parsed.success) {
      // A malformed message can never succeed: log it and drop it rather than loop.
      console.error(JSON.stringify({ level: "error", msg: "malformed video-upload message", id: message.id }));
      message.ack();
      continue;
    }
    const { video_id, source_key } = parsed.data;
    try {
      const video = await findVideoStatus(db, video_id);
      // Deleted meanwhile, or already past processing: nothing to do.
      if (video?.status === "processing") await recordDelivery(db, video_id, source_key, new Date());
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "error", msg: "video-upload consumer failed", video_id, error: String(err) }));
      message.retry({ delaySeconds: Math.min(300, 5 * 2 ** message.attempts) });
    }
  }
}

/** `video-upload-dlq`: a message that exhausted its retries; its video ends `failed`. */
export async function consumeVideoUploadDeadLetters(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    const parsed = VideoUploadMessage.safeParse(message.body);
    if (parsed.success) {
      await failJob(db, parsed.data.video_id, "transcode_failed", "Processing failed after repeated attempts.", new Date());
    }
    message.ack();
  }
}
