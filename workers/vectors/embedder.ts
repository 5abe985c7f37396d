/**
 * Text to vectors. Production uses Workers AI (`@cf/baai/bge-small-en-v1.5`); local dev and
 * tests use `LocalEmbedder`, which needs no model weights. Their vectors are not comparable:
 * each embedder has an `id`, recorded with every vector, and an index refuses another's.
 */
// With its extension: Node scripts (eval:recs) import this file as it is.
import { fnv1a } from "../lib/hash.ts";

export interface Embedder {
  /** Names the model and its settings; vectors of two ids never share an index. */
  readonly id: string;
  readonly dimensions: number;
  /** One L2-normalised vector per text, in order. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

export const BGE_SMALL = "@cf/baai/bge-small-en-v1.5";
export const BGE_SMALL_DIMENSIONS = 384;

/** Workers AI's answer for text embeddings (documented: `{ shape: [n, dims], data: number[][] }`). */
interface EmbeddingAnswer {
  shape?: number[];
  data?: number[][];
}

/** The subset of the `AI` binding this adapter uses. */
export interface AiRunner {
  run(model: string, inputs: { text: string[] }): Promise<unknown>;
}

/** Workers AI batches up to 100 texts per call for the bge models. */
const AI_BATCH = 100;

export class WorkersAiEmbedder implements Embedder {
  readonly id = `workers-ai:${BGE_SMALL}`;
  readonly dimensions = BGE_SMALL_DIMENSIONS;
  private readonly ai: AiRunner;
  constructor(ai: AiRunner) {
    this.ai = ai;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += AI_BATCH) {
      const batch = texts.slice(i, i + AI_BATCH);
      const answer = (await this.ai.run(BGE_SMALL, { text: batch })) as EmbeddingAnswer;
      const rows = answer?.data;
      if (!Array.isArray(rows) || rows.length !== batch.length) {
        throw new Error(`Workers AI answered ${rows?.length ?? "no"} embeddings for ${batch.length} texts`);
      }
      for (const row of rows) {
        if (!Array.isArray(row) || row.length !== this.dimensions) {
          throw new Error(`Workers AI answered a vector of ${row?.length} dimensions, not ${this.dimensions}`);
        }
        // bge vectors come close to unit length; normalising makes dot product exactly cosine.
        out.push(normalise(Float32Array.from(row)));
      }
    }
    return out;
  }
}

/**
 * A deterministic embedder for local dev, tests and the offline evaluation: words and
 * character trigrams hashed into `dimensions` buckets (with a sign bit, so collisions cancel
 * rather than pile up), weighted by sublinear term frequency times inverse document
 * frequency, then L2-normalised. Without a corpus (`idf` absent) every term weighs the same
 * and stop words none. It knows no synonyms: it matches shared words and word pieces, which
 * is what titles, descriptions and tags of one topic share.
 */
export class LocalEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly idf?: (term: string) => number;
  // Plain fields, not parameter properties: the offline evaluation runs this file under
  // Node's type stripping, which does not rewrite constructors.
  constructor(dimensions = BGE_SMALL_DIMENSIONS, idf?: (term: string) => number) {
    this.dimensions = dimensions;
    this.idf = idf;
    this.id = `local:hash-${idf ? "tfidf" : "tf"}-v1:${dimensions}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }

  embedOne(text: string): Float32Array {
    const vector = new Float32Array(this.dimensions);
    for (const [term, count] of termCounts(text)) {
      const weight = (1 + Math.log(count)) * (this.idf ? this.idf(term) : 1);
      if (!weight) continue;
      const h = fnv1a(term);
      const bucket = h % this.dimensions;
      vector[bucket] = (vector[bucket] ?? 0) + (h & 0x80000000 ? -weight : weight);
    }
    return normalise(vector);
  }
}

const STOP_WORDS = new Set(
  "a an and are as at be but by for from has have how i in is it its of on or that the this to was what when with you your".split(
    " ",
  ),
);

/** Words (weight 1) and the trigrams of each word (weight 1/2 each, so a word still dominates its pieces). */
export function termCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (term: string, n: number) => counts.set(term, (counts.get(term) ?? 0) + n);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (STOP_WORDS.has(word)) continue;
    add(`w:${word}`, 1);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.5);
  }
  return counts;
}

export function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) / norm;
  return v;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

/** The text of a video that its vector stands for. Title counts twice: it says most in fewest words. */
export function videoText(v: { title: string; description: string; tags: string[] }): string {
  return `${v.title}\n${v.title}\n${v.tags.join(" ")}\n${v.description}`.slice(0, 2000);
}
