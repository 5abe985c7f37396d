/**
 * Nearest neighbours by cosine. Production: the Vectorize binding; local dev and tests: a
 * D1 table searched exactly (`LocalVectorIndex`). Both take Vectorize's filter language, the
 * subset the local index implements: equality and `$ne`, `$lt`, `$lte`, `$gt`, `$gte`, `$in`,
 * `$nin` on metadata fields (Vectorize needs a metadata index per filtered field, created
 * before the first insert; README).
 */
export type MetadataValue = string | number | boolean;
export type Metadata = Record<string, MetadataValue>;
type Op = "$eq" | "$ne" | "$lt" | "$lte" | "$gt" | "$gte";
export type VectorFilter = Record<
  string,
  MetadataValue | Partial<Record<Op, MetadataValue>> | Partial<Record<"$in" | "$nin", MetadataValue[]>>
>;

export interface VectorMatch {
  id: string;
  score: number;
}

export interface VectorRecord {
  id: string;
  values: Float32Array;
  metadata: Metadata;
}

export interface VectorIndex {
  /** The embedder whose vectors this index holds; another's are refused. */
  readonly embedder: string;
  readonly dimensions: number;
  upsert(records: VectorRecord[]): Promise<void>;
  remove(ids: string[]): Promise<void>;
  /** The stored vectors of these ids (those that exist). */
  get(ids: string[]): Promise<Map<string, Float32Array>>;
  /** At most `topK` (<= 100) matches, best first. */
  query(vector: Float32Array, options: { topK: number; filter?: VectorFilter }): Promise<VectorMatch[]>;
}

export class EmbedderMismatch extends Error {
  constructor(index: string, holds: string, offered: string) {
    super(`The vector index ${index} holds vectors of ${holds}; it refuses vectors of ${offered}.`);
  }
}

/** Refuses a vector of the wrong length before it reaches either backend. */
export function checkDimensions(index: VectorIndex, values: ArrayLike<number>) {
  if (values.length !== index.dimensions) {
    throw new Error(`A vector of ${values.length} dimensions offered to an index of ${index.dimensions}`);
  }
}

/** Vectorize's filter semantics, for the local index: every field's condition must hold. */
export function matchesFilter(metadata: Metadata, filter: VectorFilter | undefined): boolean {
  if (!filter) return true;
  for (const [field, condition] of Object.entries(filter)) {
    const value = metadata[field];
    if (typeof condition !== "object") {
      if (value !== condition) return false;
      continue;
    }
    for (const [op, operand] of Object.entries(condition)) {
      if (!holds(op, value, operand)) return false;
    }
  }
  return true;
}

function holds(op: string, value: MetadataValue | undefined, operand: unknown): boolean {
  switch (op) {
    case "$eq":
      return value === operand;
    case "$ne":
      return value !== operand;
    case "$in":
      return Array.isArray(operand) && value !== undefined && operand.includes(value);
    case "$nin":
      return Array.isArray(operand) && (value === undefined || !operand.includes(value));
  }
  // Range operators compare like types only, as Vectorize does (a missing field never matches).
  if (value === undefined || typeof value !== typeof operand) return false;
  const a = value as number | string;
  const b = operand as number | string;
  switch (op) {
    case "$lt":
      return a < b;
    case "$lte":
      return a <= b;
    case "$gt":
      return a > b;
    case "$gte":
      return a >= b;
    default:
      throw new Error(`Unknown filter operator ${op}`);
  }
}
