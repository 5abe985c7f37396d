import { VideoIndexMessage } from "../schemas/processing";
import { databaseOf } from "../services/deps";
import { syncVideoVector } from "../services/embeddings";
import { vectorBackend } from "../vectors/backend";
import { consume } from "./consume";

/**
 * `video-index` consumer: each message names a video whose content vector may be stale
 * (ready, edited, visibility changed, deleted). Idempotent: it syncs to the video's current row.
 */
export async function consumeVideoIndex(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps = { db: databaseOf(env), d1: env.DB, vectors: vectorBackend(env) };
  await consume(batch, VideoIndexMessage, async (message) => {
    await syncVideoVector(deps, message.video_id);
  });
}
