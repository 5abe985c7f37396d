import type { VideoIndexMessage } from "../schemas/processing";
import { syncVideoVector } from "../services/embeddings";
import { learnVideoWords } from "../services/search";
import { indexDeps } from "../wiring/deps";

/**
 * `video-index`: each message names a video whose indexes may be stale (ready, edited,
 * visibility changed, deleted): its content vector, and the words typo correction knows.
 * Idempotent: both follow the video's current row.
 */
export async function indexVideo(message: VideoIndexMessage, env: Env): Promise<void> {
  const deps = indexDeps(env);
  await learnVideoWords(deps.db, message.video_id);
  await syncVideoVector(deps, message.video_id);
}
