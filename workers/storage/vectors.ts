/**
 * The local vector index's tables (migrations/0006_recs.sql): which embedder each index
 * holds, and the vectors as little-endian float32 blobs. Raw D1 rather than drizzle: the
 * blobs go straight to Float32Array without a Buffer in between.
 */

/** A vector's metadata as stored: a JSON object of scalars (vectors/vector-index.ts's `Metadata`). */
export type StoredMetadata = Record<string, string | number | boolean>;

export async function indexEmbedder(d1: D1Database, name: string) {
  return d1
    .prepare("SELECT embedder, dimensions FROM vector_indexes WHERE name = ?")
    .bind(name)
    .first<{ embedder: string; dimensions: number }>();
}

/** Claims the index for an embedder; a second claim by another embedder changes nothing. */
export async function claimIndex(d1: D1Database, name: string, embedder: string, dimensions: number) {
  await d1
    .prepare("INSERT INTO vector_indexes (name, embedder, dimensions) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING")
    .bind(name, embedder, dimensions)
    .run();
}

export async function upsertVectors(
  d1: D1Database,
  name: string,
  rows: { id: string; values: Float32Array; metadata: StoredMetadata }[],
) {
  if (!rows.length) return;
  const stmt = d1.prepare(
    `INSERT INTO vector_entries (index_name, id, vector, metadata) VALUES (?, ?, ?, ?)
     ON CONFLICT (index_name, id) DO UPDATE SET vector = excluded.vector, metadata = excluded.metadata`,
  );
  await d1.batch(rows.map((r) => stmt.bind(name, r.id, toBlob(r.values), JSON.stringify(r.metadata))));
}

export async function deleteVectors(d1: D1Database, name: string, ids: string[]) {
  if (!ids.length) return;
  const stmt = d1.prepare("DELETE FROM vector_entries WHERE index_name = ? AND id = ?");
  await d1.batch(ids.map((id) => stmt.bind(name, id)));
}

export async function vectorsByIds(d1: D1Database, name: string, ids: string[]) {
  if (!ids.length) return [];
  const { results } = await d1
    .prepare(`SELECT id, vector FROM vector_entries WHERE index_name = ? AND id IN (SELECT value FROM json_each(?))`)
    .bind(name, JSON.stringify(ids))
    .all<{ id: string; vector: ArrayBuffer | number[] }>();
  return results.map((r) => ({ id: r.id, values: fromBlob(r.vector) }));
}

/** Every vector of the index, for an exact scan (a local catalogue is small). */
export async function allVectors(d1: D1Database, name: string) {
  const { results } = await d1
    .prepare("SELECT id, vector, metadata FROM vector_entries WHERE index_name = ?")
    .bind(name)
    .all<{ id: string; vector: ArrayBuffer | number[]; metadata: string }>();
  return results.map((r) => ({
    id: r.id,
    values: fromBlob(r.vector),
    metadata: JSON.parse(r.metadata) as StoredMetadata,
  }));
}

function toBlob(values: Float32Array): ArrayBuffer {
  // A copy, so a view into a larger buffer does not store its neighbours too.
  return values.slice().buffer as ArrayBuffer;
}

function fromBlob(blob: ArrayBuffer | number[]): Float32Array {
  // D1 answers blobs as byte arrays (number[]) in some runtimes and ArrayBuffer in others.
  const bytes = blob instanceof ArrayBuffer ? new Uint8Array(blob) : Uint8Array.from(blob);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** What a video's current vector was made from (either backend), if it has one. */
export async function findEmbedding(d1: D1Database, videoId: string) {
  return d1
    .prepare("SELECT embedder, content_hash FROM video_embeddings WHERE video_id = ?")
    .bind(videoId)
    .first<{ embedder: string; content_hash: string }>();
}

export async function saveEmbedding(
  d1: D1Database,
  videoId: string,
  embedder: string,
  contentHash: string,
  at: number,
) {
  await d1
    .prepare(
      `INSERT INTO video_embeddings (video_id, embedder, content_hash, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (video_id) DO UPDATE SET embedder = excluded.embedder, content_hash = excluded.content_hash,
       updated_at = excluded.updated_at`,
    )
    .bind(videoId, embedder, contentHash, at)
    .run();
}

export async function forgetEmbedding(d1: D1Database, videoId: string) {
  await d1.prepare("DELETE FROM video_embeddings WHERE video_id = ?").bind(videoId).run();
}
