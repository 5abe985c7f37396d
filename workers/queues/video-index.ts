import type { VideoIndexMessage } from "../schemas/processing";
import { syncVideoVector } from "../services/embeddings";
import { indexDeps } from "../wiring/deps";

/**
 * `video-index`: each message names a video whose content vector may be stale (ready, edited,
 * visibility changed, deleted). Idempotent: it syncs to the video's current row.
 */
export const indexVideo = (message: VideoIndexMessage, env: Env) => syncVideoVector(indexDeps(env), message.video_id);
