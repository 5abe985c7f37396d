import * as store from "../storage/vectors";
import { dot } from "./embedder";
import {
  checkDimensions,
  EmbedderMismatch,
  matchesFilter,
  type VectorFilter,
  type VectorIndex,
  type VectorMatch,
  type VectorRecord,
} from "./vector-index";

/**
 * The local stand-in for Vectorize: vectors in D1, searched by exact cosine (every vector
 * is unit length, so a dot product). Exact search reads the whole index per query, which is
 * right for a development catalogue and is why production uses Vectorize. The first write
 * claims the index for its embedder; vectors of any other embedder are refused.
 */
export class LocalVectorIndex implements VectorIndex {
  private checked = false;
  constructor(
    private readonly d1: D1Database,
    readonly name: string,
    readonly embedder: string,
    readonly dimensions: number,
  ) {}

  private async ensureOwner() {
    if (this.checked) return;
    let holder = await store.indexEmbedder(this.d1, this.name);
    if (!holder) {
      await store.claimIndex(this.d1, this.name, this.embedder, this.dimensions);
      holder = await store.indexEmbedder(this.d1, this.name);
    }
    if (holder && (holder.embedder !== this.embedder || holder.dimensions !== this.dimensions)) {
      throw new EmbedderMismatch(this.name, `${holder.embedder} (${holder.dimensions})`, this.embedder);
    }
    this.checked = true;
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    for (const r of records) checkDimensions(this, r.values);
    await this.ensureOwner();
    await store.upsertVectors(this.d1, this.name, records);
  }

  async remove(ids: string[]): Promise<void> {
    await store.deleteVectors(this.d1, this.name, ids);
  }

  async get(ids: string[]): Promise<Map<string, Float32Array>> {
    await this.ensureOwner();
    return new Map((await store.vectorsByIds(this.d1, this.name, ids)).map((r) => [r.id, r.values]));
  }

  async query(vector: Float32Array, options: { topK: number; filter?: VectorFilter }): Promise<VectorMatch[]> {
    checkDimensions(this, vector);
    await this.ensureOwner();
    const scored: VectorMatch[] = [];
    for (const row of await store.allVectors(this.d1, this.name)) {
      if (matchesFilter(row.metadata, options.filter)) scored.push({ id: row.id, score: dot(vector, row.values) });
    }
    scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    return scored.slice(0, Math.min(100, options.topK));
  }
}
