import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { refreshVocabulary } from "../../workers/services/search";
import { allowedTypos, editDistance, matchAll, termsOf } from "../../workers/services/search-text";
import { database } from "../../workers/storage/db";
import { api, catalogueVideo, readyVideo, registerUser, row, type TestUser, waitFor } from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

interface Item {
  id: string;
  title: string;
  highlight: { title: string; description: string };
  channel: { id: string; verified: boolean };
}
interface Answer {
  items: Item[];
  page: number;
  limit: number;
  total: number;
  corrected_query?: string;
}

async function search(params: Record<string, string>, as?: TestUser): Promise<Answer> {
  const res = await api(`/api/v1/search?${new URLSearchParams(params)}`, { as });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Answer;
}
const ids = (a: Answer) => a.items.map((i) => i.id);

/** A made-up word no other test uses, so each test has the index to itself. */
const unique = (base: string) =>
  `${base}${Array.from({ length: 5 }, () => "bcdfghjklmnpqrstvwxz"[Math.floor(Math.random() * 20)]).join("")}`;

const refresh = () => refreshVocabulary(database(env.DB));

describe("search ranking", () => {
  it("weighs a word in the title above the description, and the description above the tags", async () => {
    const user = await registerUser();
    const w = unique("zephyr");
    // Description and tags of the same length, so only the column weights differ.
    const inTags = await catalogueVideo(user, { title: "Evening walk", tags: [w, "over", "the", "hill"] });
    const inDescription = await catalogueVideo(user, { title: "Morning walk", description: `${w} over the hill` });
    const inTitle = await catalogueVideo(user, { title: `The ${w} walk` });
    expect(ids(await search({ q: w }))).toEqual([inTitle, inDescription, inTags]);
  });

  it("puts the words as typed, in order, in a title above the same words scattered", async () => {
    const user = await registerUser();
    const [a, b] = [unique("amber"), unique("basil")];
    const scattered = await catalogueVideo(user, { title: `${b} cooking with ${a} tonight` });
    const phrase = await catalogueVideo(user, { title: `${a} ${b} cooking with friends` });
    expect(ids(await search({ q: `${a} ${b}` }))).toEqual([phrase, scattered]);
  });

  it("lifts equal matches by views, recency and a verified channel", async () => {
    const user = await registerUser();
    const w = unique("cobalt");
    const old = new Date(Date.now() - 400 * 86_400_000);
    const few = await catalogueVideo(user, { title: `${w} tutorial`, views: 10, publishedAt: old });
    const many = await catalogueVideo(user, { title: `${w} tutorial`, views: 500_000, publishedAt: old });
    expect(ids(await search({ q: w }))).toEqual([many, few]);

    const r = unique("russet");
    const older = await catalogueVideo(user, { title: `${r} tutorial`, publishedAt: old });
    const fresh = await catalogueVideo(user, { title: `${r} tutorial` });
    expect(ids(await search({ q: r }))).toEqual([fresh, older]);

    const verifiedUser = await registerUser();
    await env.DB.prepare("UPDATE channels SET verified = 1 WHERE id = ?").bind(verifiedUser.channel_id).run();
    const v = unique("violet");
    const plain = await catalogueVideo(user, { title: `${v} tutorial`, publishedAt: old });
    const verified = await catalogueVideo(verifiedUser, { title: `${v} tutorial`, publishedAt: old });
    const answer = await search({ q: v });
    expect(ids(answer)).toEqual([verified, plain]);
    expect(answer.items[0]?.channel.verified).toBe(true);
  });

  it("finds stems, accents and prefixes, and marks what matched in escaped HTML", async () => {
    const user = await registerUser();
    const w = unique("quince");
    const brulee = await catalogueVideo(user, {
      title: `Crème brûlée <b>${w}</b> & more`,
      description: `We baked it twice. ${"Filler words here. ".repeat(20)}`,
    });
    const found = await search({ q: `creme brulee ${w}` });
    expect(ids(found)).toEqual([brulee]);
    expect(found.items[0]?.highlight.title).toBe(
      `<mark>Crème</mark> <mark>brûlée</mark> &lt;b&gt;<mark>${w}</mark>&lt;/b&gt; &amp; more`,
    );
    expect(ids(await search({ q: `baking ${w}` }))).toEqual([brulee]);
    const stem = await search({ q: `${w} baking` });
    expect(stem.items[0]?.highlight.description).toContain("<mark>baked</mark>");
    // The word being typed is a prefix.
    expect(ids(await search({ q: `brulee ${w.slice(0, 7)}` }))).toEqual([brulee]);
  });
});

describe("typo tolerance", () => {
  it("corrects one typo from 5 letters and two from 9, and says so", async () => {
    const user = await registerUser();
    const w = unique("sardine"); // 12 letters; w[2] and w[3] differ, so the swap below is a real edit
    const video = await catalogueVideo(user, { title: `Risotto with ${w}`, description: "slow cooked" });
    await refresh();

    const oneTypo = `${w.slice(0, 3)}${w.slice(4)}`; // a letter dropped
    const first = await search({ q: `risotto ${oneTypo}` });
    expect(ids(first)).toEqual([video]);
    expect(first.corrected_query).toBe(`risotto ${w}`);

    // A swap and a substitution: "e" never occurs in the random (consonant) suffix, so it is a real edit.
    const swapped = `${w.slice(0, 2)}${w[3]}${w[2]}${w.slice(4, 8)}e${w.slice(9)}`;
    const second = await search({ q: swapped });
    expect(ids(second)).toEqual([video]);
    expect(second.corrected_query).toBe(w);

    // An exact query never reports a correction.
    expect((await search({ q: `risotto ${w}` })).corrected_query).toBeUndefined();
  });

  it("corrects a typo of a word only a video made ready a moment ago has, without waiting for the cron", async () => {
    const user = await registerUser();
    const w = unique("sourdough"); // 14 letters: two typos allowed
    const { videoId } = await readyVideo(user, "public", `Tangy ${w} loaf`);
    // A letter dropped and two swapped: no refresh of the vocabulary in between.
    const typo = `${w.slice(0, 6)}${w[7]}${w[6]}${w.slice(9)}`;
    const found = await search({ q: typo });
    expect(ids(found)).toEqual([videoId]);
    expect(found.corrected_query).toBe(w);
    // Suggestions know it too.
    const suggested = (await (await api(`/api/v1/search/suggest?q=${w.slice(0, 8)}`)).json()) as { items: string[] };
    expect(suggested.items).toContain(w);
  });

  it("learns a word an owner's edit adds, through the indexing queue", async () => {
    const user = await registerUser();
    const w = unique("tyepscript");
    const { videoId } = await readyVideo(user);
    const edit = await api(`/api/v1/videos/${videoId}`, {
      method: "PATCH",
      as: user,
      json: { title: `${w} generics` },
    });
    expect(edit.status).toBe(200);
    // The queue's consumer learns it within moments; searched before, a typo's empty answer
    // would be cached for SEARCH_CACHE_SECONDS like any other.
    await waitFor(() => row("SELECT docs FROM search_words WHERE word = ? AND grams = 1", w), "the word to be learnt");
    const found = await search({ q: `${w.slice(0, 3)}${w.slice(4)} generics` });
    expect(found.corrected_query).toBe(`${w} generics`);
  });

  it("leaves words under 5 letters alone and does not stretch past the allowed edits", async () => {
    const user = await registerUser();
    const w = unique("m"); // 6 letters: one typo at most
    await catalogueVideo(user, { title: `Dance ${w}` });
    await refresh();
    const twoTypos = `x${w.slice(1, 5)}y`;
    expect((await search({ q: twoTypos })).items).toEqual([]);
  });

  it("drops words from the right when everything together finds nothing", async () => {
    const user = await registerUser();
    const [a, b] = [unique("larch"), unique("maple")];
    const video = await catalogueVideo(user, { title: `${a} and ${b} leaves` });
    await refresh();
    const answer = await search({ q: `${a} ${b} qqqqqqqqqqqqqqqqq zzz` });
    expect(ids(answer)).toEqual([video]);
    expect(answer.corrected_query).toBeUndefined();
  });
});

describe("filters, sorts and pages", () => {
  it("filters by category, duration, upload date, views and channel", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const w = unique("garnet");
    const day = 86_400_000;
    const short = await catalogueVideo(user, {
      title: `${w} one`,
      category: "music",
      duration: 90,
      views: 5,
      publishedAt: new Date(Date.now() - 30 * day),
    });
    const medium = await catalogueVideo(user, {
      title: `${w} two`,
      category: "gaming",
      duration: 600,
      views: 5000,
      publishedAt: new Date(Date.now() - 2 * day),
    });
    const long = await catalogueVideo(other, { title: `${w} three`, category: "music", duration: 3600, views: 50 });

    const sorted = (a: Answer) => ids(a).sort();
    expect(sorted(await search({ q: w, category: "music" }))).toEqual([short, long].sort());
    expect(ids(await search({ q: w, duration: "short" }))).toEqual([short]);
    expect(ids(await search({ q: w, duration: "medium" }))).toEqual([medium]);
    expect(ids(await search({ q: w, duration: "long" }))).toEqual([long]);
    const weekAgo = new Date(Date.now() - 7 * day).toISOString().slice(0, 10);
    expect(sorted(await search({ q: w, uploaded_after: weekAgo }))).toEqual([medium, long].sort());
    expect(sorted(await search({ q: w, min_views: "50" }))).toEqual([medium, long].sort());
    expect(ids(await search({ q: w, channel_id: other.channel_id }))).toEqual([long]);
    expect(ids(await search({ q: w, category: "music", duration: "long", channel_id: other.channel_id }))).toEqual([
      long,
    ]);
    expect(ids(await search({ q: w, sort: "views" }))).toEqual([medium, long, short]);
    expect(ids(await search({ q: w, sort: "date" }))).toEqual([long, medium, short]);
  });

  it("filters on what a video is now: an edited category, new views, nothing left after a delete", async () => {
    const owner = await registerUser();
    const w = unique("shale");
    const id = await catalogueVideo(owner, { title: `${w} clip`, category: "music", views: 5 });
    expect(ids(await search({ q: w, category: "music" }))).toEqual([id]);

    const edit = (json: unknown) => api(`/api/v1/videos/${id}`, { method: "PATCH", as: owner, json });
    expect((await edit({ category: "gaming" })).status).toBe(200);
    // Other page sizes than above: answers are cached for 30 s when no video left the index.
    expect(ids(await search({ q: w, category: "gaming", limit: "3" }))).toEqual([id]);
    expect(ids(await search({ q: w, category: "music", limit: "3" }))).toEqual([]);

    expect(ids(await search({ q: w, min_views: "1000" }))).toEqual([]);
    await env.DB.prepare("UPDATE videos SET view_count = view_count + 5000 WHERE id = ?").bind(id).run();
    expect(ids(await search({ q: w, min_views: "1000", limit: "3" }))).toEqual([id]);

    expect((await api(`/api/v1/videos/${id}`, { method: "DELETE", as: owner })).status).toBe(204);
    const orphans = await env.DB.prepare(
      "SELECT count(*) AS n FROM search_filters WHERE id NOT IN (SELECT id FROM search_documents)",
    ).first<{ n: number }>();
    expect(orphans?.n).toBe(0);
  });

  it("matches a category exactly: its case, its whole name, any script; never by the category's words", async () => {
    const user = await registerUser();
    const w = unique("flint");
    const day = 86_400_000;
    const lower = await catalogueVideo(user, { title: `${w} a`, category: "music" });
    const upper = await catalogueVideo(user, { title: `${w} b`, category: "Music" });
    const longer = await catalogueVideo(user, { title: `${w} c`, category: "music videos" });
    const accented = await catalogueVideo(user, {
      title: `${w} d`,
      category: "música",
      publishedAt: new Date(Date.now() - 30 * day),
    });
    const none = await catalogueVideo(user, { title: `${w} e` });

    expect(ids(await search({ q: w, category: "music" }))).toEqual([lower]);
    expect(ids(await search({ q: w, category: "Music" }))).toEqual([upper]);
    expect(ids(await search({ q: w, category: "music videos" }))).toEqual([longer]);
    expect(ids(await search({ q: w, category: "música" }))).toEqual([accented]);
    expect(ids(await search({ q: w, category: "musica" }))).toEqual([]);
    expect(ids(await search({ q: w, category: "videos" }))).toEqual([]);
    // With a filter read from the filter rows beside it, and sorted by date.
    const weekAgo = new Date(Date.now() - 7 * day).toISOString().slice(0, 10);
    expect(ids(await search({ q: w, category: "música", uploaded_after: weekAgo }))).toEqual([]);
    expect(ids(await search({ q: w, category: "music", sort: "date" }))).toEqual([lower]);
    // The category is a filter, not text: its name finds nothing the words do not.
    const word = unique("quartz");
    const named = await catalogueVideo(user, { title: `${w} f`, category: word });
    expect(ids(await search({ q: w, category: word }))).toEqual([named]);
    expect(ids(await search({ q: word }))).not.toContain(named);
    expect(ids(await search({ q: w })).sort()).toEqual([lower, upper, longer, accented, none, named].sort());
  });

  it("pages through results with a total", async () => {
    const user = await registerUser();
    const w = unique("pebble");
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await catalogueVideo(user, { title: `${w} number ${i}`, views: i * 100 }));
    const one = await search({ q: w, limit: "2", page: "1", sort: "views" });
    const two = await search({ q: w, limit: "2", page: "2", sort: "views" });
    const three = await search({ q: w, limit: "2", page: "3", sort: "views" });
    expect([one.total, two.total, three.total]).toEqual([5, 5, 5]);
    expect([one.page, two.page, three.limit]).toEqual([1, 2, 2]);
    expect([...ids(one), ...ids(two), ...ids(three)]).toEqual([...made].reverse());
  });
});

describe("privacy and the index following every write", () => {
  it("never lists private or unlisted videos, even by exact title, even to their owner", async () => {
    const owner = await registerUser();
    const w = unique("hidden");
    await catalogueVideo(owner, { title: `Secret ${w} plans`, visibility: "private" });
    await catalogueVideo(owner, { title: `Unlisted ${w} plans`, visibility: "unlisted" });
    await refresh();
    expect((await search({ q: `Secret ${w} plans` }, owner)).items).toEqual([]);
    expect((await search({ q: `Unlisted ${w} plans` }, owner)).items).toEqual([]);
    expect((await search({ q: w })).total).toBe(0);
    const suggestions = (await (await api(`/api/v1/search/suggest?q=secret ${w}`, { as: owner })).json()) as {
      items: string[];
    };
    expect(suggestions.items).toEqual([]);
  });

  it("follows a video through ready, edit, visibility change and delete, cached answers included", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const [before, after] = [unique("walrus"), unique("narwhal")];
    const edit = (json: unknown) => api(`/api/v1/videos/${videoId}`, { method: "PATCH", as: owner, json });

    expect((await edit({ title: `The ${before} video` })).status).toBe(200);
    expect(ids(await search({ q: before }))).toEqual([videoId]);

    expect((await edit({ title: `The ${after} video`, tags: ["arctic"] })).status).toBe(200);
    expect((await search({ q: before })).items).toEqual([]);
    expect(ids(await search({ q: `${after} arctic` }))).toEqual([videoId]);

    expect((await edit({ visibility: "private" })).status).toBe(200);
    expect((await search({ q: after })).items).toEqual([]);
    // Back in the index; a query not cached while it was private finds it at once.
    expect((await edit({ visibility: "public" })).status).toBe(200);
    expect(ids(await search({ q: `${after} video` }))).toEqual([videoId]);

    expect((await api(`/api/v1/videos/${videoId}`, { method: "DELETE", as: owner })).status).toBe(204);
    expect((await search({ q: after })).items).toEqual([]);
  });

  it("serves a repeated search from the cache until a video leaves the index", async () => {
    const owner = await registerUser();
    const w = unique("cached");
    const first = await catalogueVideo(owner, { title: `${w} first` });
    expect(ids(await search({ q: w }))).toEqual([first]);

    // A new video waits for the cached answer to expire...
    const second = await catalogueVideo(owner, { title: `${w} second` });
    expect(ids(await search({ q: w }))).toEqual([first]);
    expect(ids(await search({ q: `${w} second` }))[0]).toBe(second);

    // ...but a video turning private leaves every answer at once.
    const res = await api(`/api/v1/videos/${first}`, { method: "PATCH", as: owner, json: { visibility: "private" } });
    expect(res.status).toBe(200);
    expect(ids(await search({ q: w }))).toEqual([second]);
  });
});

describe("suggestions", () => {
  it("completes titles and words as they are typed, at most 10", async () => {
    const user = await registerUser();
    const w = unique("tundra");
    await catalogueVideo(user, { title: `${w} Wolves in Winter`, views: 100 });
    for (let i = 0; i < 12; i++) await catalogueVideo(user, { title: `${w}${"abcdefghijkl"[i]}x clip` });
    await refresh();

    const get = async (q: string) => {
      const res = await api(`/api/v1/search/suggest?${new URLSearchParams({ q })}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: string[] }).items;
    };
    expect(await get(`${w} wol`)).toContain(`${w} wolves in winter`);
    const many = await get(w.slice(0, 8));
    expect(many.length).toBe(10);
    for (const s of many) expect(s.startsWith(w.slice(0, 8))).toBe(true);
    expect(await get("")).toEqual([]);
  });
});

describe("search text rules", () => {
  it("measures Damerau-Levenshtein distance with an early stop", () => {
    expect(editDistance("bread", "bread")).toBe(0);
    expect(editDistance("bread", "braed")).toBe(1); // swap
    expect(editDistance("bread", "bred")).toBe(1); // deletion
    expect(editDistance("bread", "breads")).toBe(1); // insertion
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("kitten", "sitting", 1)).toBe(2); // stopped: more than 1
    expect(editDistance("crème", "creme")).toBe(1);
    expect(allowedTypos("bake")).toBe(0);
    expect(allowedTypos("bread")).toBe(1);
    expect(allowedTypos("chocolate")).toBe(2);
  });

  it("keeps nothing of FTS5 syntax in a query", () => {
    expect(matchAll(termsOf('title:"bread" NEAR(x* -y) OR ^z'))).toBe(
      '"title" AND "bread" AND "near" AND "x" AND "y" AND "or" AND "z"',
    );
    expect(matchAll(termsOf("Crème Brûlée"))).toBe('"creme" AND ("brulee" OR "brulee"*)');
  });
});
