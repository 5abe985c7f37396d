import type { Database } from "../env";
import * as vectorStore from "../storage/vectors";
import * as store from "../storage/videos";
import type { VectorBackend } from "../vectors/backend";
import { videoText } from "../vectors/embedder";

export interface EmbeddingDeps {
  db: Database;
  d1: D1Database;
  vectors: VectorBackend;
}

/**
 * Brings a video's content vector in line with the video as it is now: embedded when listable
 * (again only if its text or embedder changed), removed when private, unlisted, not ready,
 * blocked, its owner suspended, or deleted. It reads the current row rather than trusting the message, so
 * messages may arrive twice or out of order and the index still ends right.
 */
export async function syncVideoVector(deps: EmbeddingDeps, videoId: string, now = Date.now()) {
  const video = await store.findIndexable(deps.db, videoId);
  const { index, embedder } = deps.vectors;
  if (!video?.listable) {
    await index.remove([videoId]);
    await vectorStore.forgetEmbedding(deps.d1, videoId);
    return "removed" as const;
  }
  const text = videoText(video);
  const published = (video.publishedAt ?? video.createdAt).getTime();
  const hash = await sha256(`${text}\n${video.category ?? ""}\n${video.channelId}\n${published}`);
  const current = await vectorStore.findEmbedding(deps.d1, videoId);
  if (current?.embedder === embedder.id && current.content_hash === hash) return "unchanged" as const;
  const [values] = await embedder.embed([text]);
  if (!values) throw new Error("the embedder answered no vector");
  // Metadata fields are the ones with Vectorize metadata indexes (README): filters need them.
  await index.upsert([
    {
      id: videoId,
      values,
      metadata: { channel_id: video.channelId, category: video.category ?? "", published_at: published },
    },
  ]);
  await vectorStore.saveEmbedding(deps.d1, videoId, embedder.id, hash, now);
  return "embedded" as const;
}

async function sha256(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
