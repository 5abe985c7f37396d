import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { vectorBackend } from "../../workers/vectors/backend";
import { BGE_SMALL, dot, LocalEmbedder, WorkersAiEmbedder } from "../../workers/vectors/embedder";
import { LocalVectorIndex } from "../../workers/vectors/local-index";
import { EmbedderMismatch } from "../../workers/vectors/vector-index";
import { type VectorizeBinding, VectorizeIndex } from "../../workers/vectors/vectorize";

const embedder = new LocalEmbedder();
const embed = (text: string) => embedder.embedOne(text);
let n = 0;
const indexName = () => `test-${Date.now()}-${n++}`;

describe("LocalEmbedder", () => {
  it("gives the same unit-length 384-dimension vector for the same text, every time", async () => {
    const [a] = await embedder.embed(["Sourdough bread at home"]);
    const b = new LocalEmbedder().embedOne("Sourdough bread at home");
    expect(a).toHaveLength(384);
    expect([...a!]).toEqual([...b]);
    expect(dot(a!, a!)).toBeCloseTo(1, 5);
    expect(embedder.id).toBe("local:hash-tf-v1:384");
  });

  it("puts texts on one topic closer than texts on another, through shared words and word pieces", () => {
    const bread = embed("Baking sourdough bread: starter, flour and a hot oven");
    const loaf = embed("My sourdough loaf: feeding the starter and baking");
    const rust = embed("Rust borrow checker explained with lifetimes");
    expect(dot(bread, loaf)).toBeGreaterThan(0.3);
    expect(dot(bread, loaf)).toBeGreaterThan(dot(bread, rust) + 0.2);
    // Trigrams: a variant spelling still lands near its word.
    expect(dot(embed("baking"), embed("bakes"))).toBeGreaterThan(dot(embed("baking"), embed("lifetimes")));
  });

  it("gives stop words and empty text no direction at all", () => {
    expect([...embed("the and of a")].every((x) => x === 0)).toBe(true);
    expect([...embed("")].every((x) => x === 0)).toBe(true);
  });
});

describe("LocalVectorIndex (D1, exact cosine)", () => {
  it("answers nearest first, honours Vectorize-style filters, replaces on upsert and forgets on remove", async () => {
    const index = new LocalVectorIndex(env.DB, indexName(), embedder.id, 384);
    await index.upsert([
      { id: "bread", values: embed("sourdough bread baking"), metadata: { channel_id: "c1", published_at: 100 } },
      { id: "cake", values: embed("chocolate cake baking"), metadata: { channel_id: "c2", published_at: 200 } },
      { id: "rust", values: embed("rust lifetimes borrow checker"), metadata: { channel_id: "c1", published_at: 300 } },
    ]);
    const q = embed("baking sourdough");
    const all = await index.query(q, { topK: 10 });
    expect(all.map((m) => m.id)).toEqual(["bread", "cake", "rust"]);
    expect(all[0]!.score).toBeGreaterThan(all[1]!.score);
    expect((await index.query(q, { topK: 1 })).map((m) => m.id)).toEqual(["bread"]);
    expect((await index.query(q, { topK: 10, filter: { channel_id: "c1" } })).map((m) => m.id)).toEqual([
      "bread",
      "rust",
    ]);
    expect(
      (await index.query(q, { topK: 10, filter: { published_at: { $gte: 200 }, channel_id: { $ne: "c1" } } })).map(
        (m) => m.id,
      ),
    ).toEqual(["cake"]);
    expect((await index.query(q, { topK: 10, filter: { channel_id: { $in: ["c2"] } } })).map((m) => m.id)).toEqual([
      "cake",
    ]);

    await index.upsert([{ id: "bread", values: embed("rust lifetimes"), metadata: { channel_id: "c1" } }]);
    expect((await index.query(q, { topK: 1 }))[0]!.id).toBe("cake");
    const stored = await index.get(["bread", "nope"]);
    expect([...stored.keys()]).toEqual(["bread"]);
    expect(dot(stored.get("bread")!, embed("rust lifetimes"))).toBeCloseTo(1, 5);

    await index.remove(["cake", "bread"]);
    expect((await index.query(q, { topK: 10 })).map((m) => m.id)).toEqual(["rust"]);
  });

  it("refuses vectors of another embedder, or of the wrong length", async () => {
    const name = indexName();
    await new LocalVectorIndex(env.DB, name, embedder.id, 384).upsert([
      { id: "a", values: embed("one"), metadata: {} },
    ]);
    const other = new LocalVectorIndex(env.DB, name, "workers-ai:@cf/baai/bge-small-en-v1.5", 384);
    await expect(other.upsert([{ id: "b", values: embed("two"), metadata: {} }])).rejects.toBeInstanceOf(
      EmbedderMismatch,
    );
    await expect(other.query(embed("one"), { topK: 1 })).rejects.toBeInstanceOf(EmbedderMismatch);
    const same = new LocalVectorIndex(env.DB, name, embedder.id, 384);
    await expect(same.upsert([{ id: "c", values: new Float32Array(768), metadata: {} }])).rejects.toThrow(
      /768 dimensions/,
    );
  });
});

describe("production adapters, against the documented shapes", () => {
  it("WorkersAiEmbedder sends { text: [...] } to bge-small and reads { shape, data }", async () => {
    const calls: { model: string; inputs: { text: string[] } }[] = [];
    const ai = {
      async run(model: string, inputs: { text: string[] }) {
        calls.push({ model, inputs });
        // The documented answer: shape [n, 384], data one array of 384 numbers per text.
        return { shape: [inputs.text.length, 384], data: inputs.text.map((_, i) => Array(384).fill(i + 1)) };
      },
    };
    const vectors = await new WorkersAiEmbedder(ai).embed(["a", "b"]);
    expect(calls).toEqual([{ model: BGE_SMALL, inputs: { text: ["a", "b"] } }]);
    expect(vectors).toHaveLength(2);
    expect(vectors[1]![0]).toBeCloseTo(1 / Math.sqrt(384), 6);

    const short = { run: async () => ({ shape: [1, 768], data: [Array(768).fill(0.1)] }) };
    await expect(new WorkersAiEmbedder(short).embed(["a"])).rejects.toThrow(/768 dimensions/);
    const missing = { run: async () => ({ shape: [0], data: [] }) };
    await expect(new WorkersAiEmbedder(missing).embed(["a"])).rejects.toThrow(/0 embeddings for 1/);
  });

  it("VectorizeIndex upserts { id, values, metadata } and queries without values or metadata", async () => {
    const log: { op: string; args: unknown[] }[] = [];
    const binding: VectorizeBinding = {
      async query(vector, options) {
        log.push({ op: "query", args: [vector, options] });
        // The documented answer: { count, matches: [{ id, score }] }.
        return {
          count: 2,
          matches: [
            { id: "v1", score: 0.91 },
            { id: "v2", score: 0.5 },
          ],
        };
      },
      async upsert(vectors) {
        log.push({ op: "upsert", args: [vectors] });
        return { mutationId: "m1" };
      },
      async deleteByIds(ids) {
        log.push({ op: "deleteByIds", args: [ids] });
        return { mutationId: "m2" };
      },
      async getByIds(ids) {
        log.push({ op: "getByIds", args: [ids] });
        return [{ id: "v1", values: Array(384).fill(0.5) }];
      },
    };
    const index = new VectorizeIndex(binding, "workers-ai:x", 384);
    const v = embed("bread");
    await index.upsert([{ id: "v1", values: v, metadata: { channel_id: "c1", published_at: 5 } }]);
    const matches = await index.query(v, { topK: 500, filter: { published_at: { $gte: 1 } } });
    await index.remove(["v1"]);
    const got = await index.get(["v1"]);

    expect(log[0]).toEqual({
      op: "upsert",
      args: [
        [
          {
            id: "v1",
            values: Array.from(v),
            metadata: { channel_id: "c1", published_at: 5, embedder: "workers-ai:x" },
          },
        ],
      ],
    });
    expect(log[1]!.args[1]).toEqual({
      topK: 100,
      returnValues: false,
      returnMetadata: "none",
      filter: { published_at: { $gte: 1 }, embedder: "workers-ai:x" },
    });
    expect(Array.isArray(log[1]!.args[0])).toBe(true);
    expect(matches).toEqual([
      { id: "v1", score: 0.91 },
      { id: "v2", score: 0.5 },
    ]);
    expect(log[2]).toEqual({ op: "deleteByIds", args: [["v1"]] });
    expect(got.get("v1")).toHaveLength(384);
    await expect(index.upsert([{ id: "x", values: new Float32Array(10), metadata: {} }])).rejects.toThrow(
      /10 dimensions/,
    );
  });

  it("picks the local pair when VECTOR_BACKEND is local or a binding is missing, and Vectorize otherwise", () => {
    expect(vectorBackend(env).kind).toBe("local");
    const ai = { run: async () => ({}) };
    const vectors = { query: async () => ({ matches: [], count: 0 }) };
    const prod = { ...env, VECTOR_BACKEND: "vectorize", AI: ai, VIDEO_VECTORS: vectors } as unknown as typeof env;
    expect(vectorBackend(prod).kind).toBe("vectorize");
    expect(vectorBackend(prod).embedder.dimensions).toBe(384);
    const noBinding = { ...env, VECTOR_BACKEND: "vectorize", AI: undefined } as unknown as typeof env;
    expect(vectorBackend(noBinding).kind).toBe("local");
  });
});
