import type { CaptionJobMessage } from "../schemas/captions";
import { failAutoCaptions, transcribeAutoCaptions } from "../services/auto-captions";
import { autoCaptionDeps, databaseOf } from "../wiring/deps";

/**
 * `captions` (auto captions): transcribes one track and stores it. Idempotent: only a track
 * still `processing` is worked on. An engine failure is retried by the queue.
 */
export async function captionJob(body: CaptionJobMessage, env: Env): Promise<void> {
  await transcribeAutoCaptions(autoCaptionDeps(env, databaseOf(env)), body);
}

/** `captions-dlq`: the retries are spent; the track ends `failed` and the owner's page says so. */
export const captionJobDeadLetter = (body: CaptionJobMessage, env: Env) =>
  failAutoCaptions(autoCaptionDeps(env, databaseOf(env)), body, "Transcription failed after repeated attempts.");
