import { VideoJobMessage } from "../schemas/uploads";
import { databaseOf, processingDeps } from "../services/deps";
import { checkJob, failProcessing, startProcessing } from "../services/processing";

/**
 * `video-upload` consumer (seed: "Video processing worker consumes event"): dispatches the
 * job to the transcoder, and runs the watchdog that re-dispatches a silent one. Idempotent:
 * a redelivery for a job that is running or finished does nothing.
 */
export async function consumeVideoUpload(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps = processingDeps(env, databaseOf(env));
  for (const message of batch.messages) {
    const parsed = VideoJobMessage.safeParse(message.body);
    if (!parsed.success) {
      // A malformed message can never succeed: log it and drop it rather than loop.
      console.error(JSON.stringify({ level: "error", msg: "malformed video-upload message", id: message.id }));
      message.ack();
      continue;
    }
    const body = parsed.data;
    try {
      const outcome =
        "kind" in body
          ? await checkJob(deps, body.video_id)
          : await startProcessing(deps, body.video_id, body.source_key);
      if ("ack" in outcome) message.ack();
      else {
        console.warn(
          JSON.stringify({
            level: "warn",
            msg: "dispatch failed; retrying",
            video_id: body.video_id,
            error: outcome.error,
          }),
        );
        message.retry({ delaySeconds: outcome.retryAfterSeconds });
      }
    } catch (err) {
      console.error(
        JSON.stringify({
          level: "error",
          msg: "video-upload consumer failed",
          video_id: body.video_id,
          error: String(err),
        }),
      );
      message.retry({ delaySeconds: Math.min(300, 5 * 2 ** message.attempts) });
    }
  }
}

/** `video-upload-dlq`: a message that exhausted its retries; its video ends `failed`. */
export async function consumeVideoUploadDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps = processingDeps(env, databaseOf(env));
  for (const message of batch.messages) {
    const parsed = VideoJobMessage.safeParse(message.body);
    if (parsed.success) {
      await failProcessing(
        deps,
        parsed.data.video_id,
        "transcode_failed",
        "Processing failed after repeated attempts.",
      );
    }
    message.ack();
  }
}
