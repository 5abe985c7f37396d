import {
  checkDimensions,
  type VectorFilter,
  type VectorIndex,
  type VectorMatch,
  type VectorRecord,
} from "./vector-index";

/**
 * The part of a Vectorize (V2) index binding used here. Both the generated binding type and
 * the documented V2 class satisfy it.
 */
export interface VectorizeBinding {
  query(
    vector: number[] | Float32Array,
    options?: {
      topK?: number;
      returnValues?: boolean;
      returnMetadata?: boolean | "none" | "indexed" | "all";
      filter?: VectorFilter;
    },
  ): Promise<{ matches: { id: string; score: number }[]; count: number }>;
  upsert(
    vectors: { id: string; values: number[]; metadata?: Record<string, string | number | boolean> }[],
  ): Promise<unknown>;
  deleteByIds(ids: string[]): Promise<unknown>;
  getByIds(ids: string[]): Promise<{ id: string; values: number[] | Float32Array | Float64Array }[]>;
}

/** Vectorize accepts at most 1,000 vectors per upsert from a Worker. */
const UPSERT_BATCH = 1000;
/** Without values or metadata a query may ask for 100; with them, 20 (we never ask for them). */
const MAX_TOP_K = 100;

/**
 * The Vectorize binding behind `VectorIndex`. One Vectorize index per embedder (its name
 * carries the model): the index's dimensions are fixed at creation, and each vector also
 * carries its embedder id so a misconfigured binding is caught on read.
 */
export class VectorizeIndex implements VectorIndex {
  constructor(
    private readonly binding: VectorizeBinding,
    readonly embedder: string,
    readonly dimensions: number,
  ) {}

  async upsert(records: VectorRecord[]): Promise<void> {
    for (const r of records) checkDimensions(this, r.values);
    for (let i = 0; i < records.length; i += UPSERT_BATCH) {
      await this.binding.upsert(
        records.slice(i, i + UPSERT_BATCH).map((r) => ({
          id: r.id,
          values: Array.from(r.values),
          metadata: { ...r.metadata, embedder: this.embedder },
        })),
      );
    }
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length) await this.binding.deleteByIds(ids);
  }

  async get(ids: string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    if (!ids.length) return out;
    for (const v of await this.binding.getByIds(ids)) {
      if (v.values.length === this.dimensions) out.set(v.id, Float32Array.from(v.values));
    }
    return out;
  }

  async query(vector: Float32Array, options: { topK: number; filter?: VectorFilter }): Promise<VectorMatch[]> {
    checkDimensions(this, vector);
    const answer = await this.binding.query(Array.from(vector), {
      topK: Math.min(MAX_TOP_K, options.topK),
      returnValues: false,
      returnMetadata: "none",
      filter: { ...options.filter, embedder: this.embedder },
    });
    return answer.matches.map((m) => ({ id: m.id, score: m.score }));
  }
}
