import { type Embedder, LocalEmbedder, WorkersAiEmbedder } from "./embedder";
import { LocalVectorIndex } from "./local-index";
import type { VectorIndex } from "./vector-index";
import { type VectorizeBinding, VectorizeIndex } from "./vectorize";

export interface VectorBackend {
  kind: "local" | "vectorize";
  embedder: Embedder;
  index: VectorIndex;
}

/** The local index is named after its embedder, like the production one: a new embedder starts an empty index. */
const localIndexName = (embedder: Embedder) => `videos:${embedder.id}`;

/**
 * The one place that picks Workers AI + Vectorize or the local pair. `VECTOR_BACKEND=local`
 * (npm start, tests) picks local; so does a missing binding, because `wrangler dev` and the
 * test pool have no Vectorize or Workers AI to give (no local simulator exists), and a
 * platform without recommendations' vectors must still serve everything else.
 */
export function vectorBackend(env: Env): VectorBackend {
  const ai = env.AI as unknown as { run?: unknown } | undefined;
  const vectors = env.VIDEO_VECTORS as unknown as Partial<VectorizeBinding> | undefined;
  if (env.VECTOR_BACKEND !== "local" && typeof ai?.run === "function" && typeof vectors?.query === "function") {
    const embedder = new WorkersAiEmbedder(env.AI);
    // wrangler types names the V1 class; a V2 index (the only kind that can be created now) has this shape.
    const index = new VectorizeIndex(vectors as VectorizeBinding, embedder.id, embedder.dimensions);
    return { kind: "vectorize", embedder, index };
  }
  const embedder = new LocalEmbedder();
  return {
    kind: "local",
    embedder,
    index: new LocalVectorIndex(env.DB, localIndexName(embedder), embedder.id, embedder.dimensions),
  };
}
