import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CANDIDATES, refreshVocabulary } from "../../workers/services/search";
import { database } from "../../workers/storage/db";
import { FILTERED_WINDOW, RANK_WINDOW } from "../../workers/storage/search";
import { api, registerUser, type TestUser } from "./fixtures";

// Searches whose words are in more videos than search ranks (the rank and filter windows of
// workers/storage/search.ts): a catalogue past both windows, written in bulk (the search
// triggers index each row as the platform's own writes would), in a file of its own.

interface Answer {
  items: { id: string; title: string; channel: { id: string } }[];
  total: number;
}

async function search(params: Record<string, string>): Promise<Answer> {
  const res = await api(`/api/v1/search?${new URLSearchParams(params)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Answer;
}

/**
 * `count` public, ready videos of `user`'s channel in one statement, ids `${prefix}${i}`,
 * each holding `word` in its description, published a second apart from `since`.
 */
async function bulkVideos(user: TestUser, prefix: string, count: number, word: string, since: number) {
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
     INSERT INTO videos (id, channel_id, owner_id, title, description, tags, category, visibility, status,
       playable, progress, duration_ms, view_count, published_at, created_at)
     SELECT ?2 || i, ?3, ?4, 'Episode ' || i, 'notes on ' || ?5 || ' and more', '[]', 'education', 'public', 'ready',
       1, 100, 60000, i % 1000, ?6 + i * 1000, ?6 + i * 1000
     FROM n`,
  )
    .bind(count, prefix, user.channel_id, user.id, word, since)
    .run();
}

describe("search past the rank window", () => {
  it("ranks a word in more videos than the window, and a channel filter still finds all of the channel's", async () => {
    const early = await registerUser();
    const many = await registerUser();
    const word = `vastword${Date.now().toString(36)}`;
    const start = Date.now() - 86_400_000;
    // The early channel's videos are the oldest matches: outside the newest FILTERED_WINDOW.
    await bulkVideos(early, "early", 30, word, start - 30_000);
    await bulkVideos(many, "many", FILTERED_WINDOW + 20, word, start);
    // The newest match, with the word as its whole title.
    await env.DB.prepare(
      `INSERT INTO videos (id, channel_id, owner_id, title, description, tags, category, visibility, status,
         playable, progress, duration_ms, view_count, published_at, created_at)
       VALUES ('titled', ?1, ?2, ?3, '', '[]', 'education', 'public', 'ready', 1, 100, 60000, 0, ?4, ?4)`,
    )
      .bind(many.channel_id, many.id, word, Date.now())
      .run();

    const all = await search({ q: word });
    expect(all.total).toBe(CANDIDATES);
    expect(all.items[0]?.id).toBe("titled");

    const inChannel = await search({ q: word, channel_id: early.channel_id, limit: "50" });
    expect(inChannel.total).toBe(30);
    expect(inChannel.items.map((i) => i.id).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `early${i}`).sort());
    expect(new Set(inChannel.items.map((i) => i.channel.id))).toEqual(new Set([early.channel_id]));

    const newest = await search({ q: word, channel_id: early.channel_id, sort: "date", limit: "3" });
    expect(newest.items.map((i) => i.id)).toEqual(["early29", "early28", "early27"]);
  });

  it("completes a last word as a prefix until the word alone fills the rank window", async () => {
    const user = await registerUser();
    // Ends in a letter porter never strips: FTS5 stems a prefix term too, so a word ending in
    // "y" or "s" (as a time in base 36 may) is a prefix of fewer words than it was typed as.
    const word = `fillword${Date.now().toString(36)}k`;
    await bulkVideos(user, "fill", RANK_WINDOW, word, Date.now() - 86_400_000);
    // The newest video holds only a longer word that the typed one begins.
    await env.DB.prepare(
      `INSERT INTO videos (id, channel_id, owner_id, title, description, tags, category, visibility, status,
         playable, progress, duration_ms, view_count, published_at, created_at)
       VALUES ('longer', ?1, ?2, ?3, '', '[]', 'education', 'public', 'ready', 1, 100, 60000, 0, ?4, ?4)`,
    )
      .bind(user.channel_id, user.id, `${word}zq guide`, Date.now())
      .run();
    // Before the vocabulary knows how common the word is, it is also a prefix.
    expect((await search({ q: word, sort: "date", limit: "1" })).items[0]?.id).toBe("longer");
    await refreshVocabulary(database(env.DB));
    // (Another page size: the answer above is cached for its 30 s.)
    const asTyped = await search({ q: word, sort: "date", limit: "2" });
    expect(asTyped.items[0]?.id).toBe(`fill${RANK_WINDOW - 1}`);
    // A word the last one begins is still found when typed in full.
    expect((await search({ q: `${word}zq` })).items.map((i) => i.id)).toEqual(["longer"]);
  });
});
