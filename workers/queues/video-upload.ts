import type { VideoJobMessage } from "../schemas/uploads";
import { checkJob, failProcessing, startProcessing } from "../services/processing";
import { databaseOf, processingDeps } from "../wiring/deps";
import { RetryLater } from "./consume";

/**
 * `video-upload` (spec: "Video processing worker consumes event"): dispatches the job to the
 * transcoder, and runs the watchdog that re-dispatches a silent one. Idempotent: a
 * redelivery for a job that is running or finished does nothing.
 */
export async function videoJob(body: VideoJobMessage, env: Env): Promise<void> {
  const deps = processingDeps(env, databaseOf(env));
  const outcome =
    "kind" in body ? await checkJob(deps, body.video_id) : await startProcessing(deps, body.video_id, body.source_key);
  if ("retryAfterSeconds" in outcome) throw new RetryLater(outcome.retryAfterSeconds, outcome.error);
}

/** `video-upload-dlq`: a message that exhausted its retries; its video ends `failed`. */
export const videoJobDeadLetter = (body: VideoJobMessage, env: Env) =>
  failProcessing(
    processingDeps(env, databaseOf(env)),
    body.video_id,
    "transcode_failed",
    "Processing failed after repeated attempts.",
  );
