import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { syncVideoVector } from "../../workers/services/embeddings";
import { database } from "../../workers/storage/db";
import { vectorBackend } from "../../workers/vectors/backend";
import { dot, LocalEmbedder, videoText } from "../../workers/vectors/embedder";
import { addVideo, api, registerUser, waitFor } from "./fixtures";

const embedder = new LocalEmbedder();

async function storedVector(videoId: string) {
  return (await vectorBackend(env).index.get([videoId])).get(videoId);
}

async function embeddedHash(videoId: string) {
  const row = await env.DB.prepare("SELECT content_hash FROM video_embeddings WHERE video_id = ?")
    .bind(videoId)
    .first<{ content_hash: string }>();
  return row?.content_hash;
}

describe("video-index queue: a video's content vector follows its row", () => {
  it("re-embeds on an edit of the text, and drops the vector when private, back when public, gone on delete", async () => {
    const owner = await registerUser();
    const id = await addVideo(owner, { title: "Kayak rolling basics", tags: ["kayak"] });
    const before = await storedVector(id);
    expect(before).toBeDefined();
    const hash = await embeddedHash(id);

    const edit = (json: unknown) => api(`/api/v1/videos/${id}`, { method: "PATCH", as: owner, json });
    expect((await edit({ title: "Sourdough starter feeding" })).status).toBe(200);
    const expected = embedder.embedOne(
      videoText({ title: "Sourdough starter feeding", description: "", tags: ["kayak"] }),
    );
    const after = await waitFor(async () => {
      const v = await storedVector(id);
      return v && dot(v, expected) > 0.999 ? v : undefined;
    }, "the re-embedded vector");
    expect(dot(after, before!)).toBeLessThan(0.9);
    expect(await embeddedHash(id)).not.toBe(hash);

    expect((await edit({ visibility: "private" })).status).toBe(200);
    await waitFor(async () => !(await storedVector(id)), "the vector's removal");
    expect(await embeddedHash(id)).toBeUndefined();
    expect((await edit({ visibility: "public" })).status).toBe(200);
    await waitFor(async () => !!(await storedVector(id)), "the vector's return");

    expect((await api(`/api/v1/videos/${id}`, { method: "DELETE", as: owner })).status).toBe(204);
    await waitFor(async () => !(await storedVector(id)), "the vector's removal on delete");
  });

  it("a repeated message, or an edit that leaves the text alone, costs no embedding", async () => {
    const owner = await registerUser();
    const id = await addVideo(owner, { title: "Chess endgames", tags: ["chess"] });
    const deps = { db: database(env.DB), d1: env.DB, vectors: vectorBackend(env) };
    expect(await syncVideoVector(deps, id)).toBe("unchanged");
    await env.DB.prepare("UPDATE videos SET category = 'games' WHERE id = ?").bind(id).run();
    expect(await syncVideoVector(deps, id)).toBe("embedded");
    await env.DB.prepare("UPDATE videos SET visibility = 'unlisted' WHERE id = ?").bind(id).run();
    expect(await syncVideoVector(deps, id)).toBe("removed");
    expect(await syncVideoVector(deps, id)).toBe("removed");
    expect(await storedVector(id)).toBeUndefined();
  });
});
