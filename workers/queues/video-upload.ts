import { VideoJobMessage } from "../schemas/uploads";
import { databaseOf, processingDeps } from "../services/deps";
import { checkJob, failProcessing, startProcessing } from "../services/processing";
import { consume, RetryLater } from "./consume";

/**
 * `video-upload` consumer (seed: "Video processing worker consumes event"): dispatches the
 * job to the transcoder, and runs the watchdog that re-dispatches a silent one. Idempotent:
 * a redelivery for a job that is running or finished does nothing.
 */
export async function consumeVideoUpload(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps = processingDeps(env, databaseOf(env));
  await consume(batch, VideoJobMessage, async (body) => {
    const outcome =
      "kind" in body
        ? await checkJob(deps, body.video_id)
        : await startProcessing(deps, body.video_id, body.source_key);
    if ("retryAfterSeconds" in outcome) throw new RetryLater(outcome.retryAfterSeconds, outcome.error);
  });
}

/** `video-upload-dlq`: a message that exhausted its retries; its video ends `failed`. */
export async function consumeVideoUploadDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps = processingDeps(env, databaseOf(env));
  await consume(batch, VideoJobMessage, (body) =>
    failProcessing(deps, body.video_id, "transcode_failed", "Processing failed after repeated attempts."),
  );
}
