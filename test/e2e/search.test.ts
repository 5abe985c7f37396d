import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeClip } from "./clients";
import { runningStack } from "./stack";

const e2e = runningStack("search");

interface Answer {
  items: { id: string; highlight: { title: string } }[];
  total: number;
  corrected_query?: string;
}

describe("search on the running stack", () => {
  it("finds an uploaded video once it is ready, typos included, and forgets it when it turns private", async () => {
    const owner = await e2e.api.register();
    const file = path.join(e2e.work, "clip.mp4");
    makeClip(file, 4);
    const word = `marmalade${Date.now().toString(36).replace(/\d/g, "")}`;
    const videoId = await e2e.api.upload(owner, file, {
      title: `Kaleidoscope ${word} tutorial`,
      category: "education",
    });
    const search = (q: string, filters: Record<string, string> = {}) =>
      e2e.api.call<Answer>(undefined, `/api/v1/search?${new URLSearchParams({ q, ...filters })}`);

    // Not searchable while processing: only public, ready videos are.
    await e2e.api.waitReady(owner, videoId);
    const found = await search(`kaleidoscope ${word}`);
    expect(found.items.map((i) => i.id)).toEqual([videoId]);
    expect(found.items[0]?.highlight.title).toBe(`<mark>Kaleidoscope</mark> <mark>${word}</mark> tutorial`);
    // Filters read what processing learnt (a 4-second clip is short) and what the upload said.
    const ids = async (filters: Record<string, string>) => (await search(word, filters)).items.map((i) => i.id);
    expect(await ids({ duration: "short", category: "education" })).toEqual([videoId]);
    expect(await ids({ duration: "long" })).toEqual([]);
    expect(await ids({ category: "music" })).toEqual([]);

    // The cron (here through wrangler's /__scheduled) brings the new words into the vocabulary.
    expect((await fetch(`${e2e.stack.url}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`)).ok).toBe(true);
    const typo = await search(`kaleidoscpoe ${word}`);
    expect(typo.items.map((i) => i.id)).toEqual([videoId]);
    expect(typo.corrected_query).toBe(`kaleidoscope ${word}`);

    const suggest = await e2e.api.call<{ items: string[] }>(
      undefined,
      `/api/v1/search/suggest?q=kaleidoscope%20${word.slice(0, 6)}`,
    );
    expect(suggest.items).toContain(`kaleidoscope ${word} tutorial`);

    await e2e.api.call(owner, `/api/v1/videos/${videoId}`, {
      method: "PATCH",
      body: JSON.stringify({ visibility: "private" }),
    });
    expect((await search(`kaleidoscope ${word}`)).items).toEqual([]);
  });
});
