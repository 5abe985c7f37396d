import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { caption, vtt, word } from "./caption-fixtures";
import { api, freshIp, readyVideo, registerUser } from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const BASE = "http://cloudtube.test";

/** A search; `limit` varies the cache key (answers are cached per index version). */
async function search(q: string, limit = 20) {
  const res = await api(`/api/v1/search?${new URLSearchParams({ q, limit: String(limit) })}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { items: Record<string, any>[]; total: number };
}

/**
 * Rows of the transcript index in the captions database matching `w` (what FTS5 holds,
 * whatever the API shows): every saved track's cues, whatever its video's visibility.
 */
async function indexed(w: string) {
  const row = await env.CAPTIONS.prepare("SELECT count(*) AS n FROM transcript_search WHERE transcript_search MATCH ?")
    .bind(`"${w}"`)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("transcript search", () => {
  it("finds a word only said, never written, with the moments it is said at", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "public", "A quiet kitchen");
    const said = word();
    await caption(
      owner,
      videoId,
      vtt([1, 2, "Good morning"], [3, 5, `Knead the ${said} dough <b>gently</b>`], [6, 7, `${said} again`]),
    );

    const found = await search(said);
    expect(found.items.map((i) => i.id)).toEqual([videoId]);
    const hit = found.items[0] ?? {};
    expect(hit.title).toBe("A quiet kitchen");
    expect(hit.highlight).toEqual({ title: "A quiet kitchen", description: "" });
    expect(hit.moments).toEqual([
      { start: 3, text: `Knead the <mark>${said}</mark> dough gently` },
      { start: 6, text: `<mark>${said}</mark> again` },
    ]);
    // A word not said is not found in it.
    expect((await search(word())).items).toEqual([]);
  });

  it("gives a hit found by its title the moments its captions add, escaped", async () => {
    const owner = await registerUser();
    const w = word();
    const { videoId } = await readyVideo(owner, "public", `Bread ${w}`);
    await caption(owner, videoId, vtt([2, 4, `Less &lt;salt&gt; &amp; more ${w}`]));
    const found = await search(w);
    const hit = found.items.find((i) => i.id === videoId) ?? {};
    expect(hit.highlight.title).toBe(`Bread <mark>${w}</mark>`);
    expect(hit.moments).toEqual([{ start: 2, text: `Less &lt;salt&gt; &amp; more <mark>${w}</mark>` }]);
  });

  it("follows the captions: replaced, removed", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const first = word();
    const second = word();
    await caption(owner, videoId, vtt([1, 2, first]));
    expect((await search(first)).items).toHaveLength(1);
    await caption(owner, videoId, vtt([1, 2, second]));
    expect((await search(first)).items).toHaveLength(0);
    expect((await search(second)).items).toHaveLength(1);
    expect(await indexed(first)).toBe(0);
    const del = await api(`/api/v1/videos/${videoId}/captions/en`, { method: "DELETE", as: owner });
    expect(del.status).toBe(204);
    expect((await search(second)).items).toHaveLength(0);
    expect(await indexed(second)).toBe(0);
  });

  it("gives each video its own moments when their tracks' cues interleave", async () => {
    const owner = await registerUser();
    const a = (await readyVideo(owner, "public", "First talk")).videoId;
    const b = (await readyVideo(owner, "public", "Second talk")).videoId;
    const said = word();
    // a's cues, then b's, then a's again in another language: a's cue ids span b's.
    await caption(owner, a, vtt([1, 2, `${said} early`]));
    await caption(owner, b, vtt([3, 4, `${said} in the middle`], [5, 6, `and ${said} later`]));
    await caption(owner, a, vtt([7, 8, `${said} en français`]), "fr");
    const found = await search(said);
    const momentsOf = (id: string) =>
      found.items.find((i) => i.id === id)?.moments?.map((m: { start: number }) => m.start);
    expect(momentsOf(a)).toEqual([1, 7]);
    expect(momentsOf(b)).toEqual([3, 5]);
  });

  it("leaves out a video that turns private, is blocked or is deleted, and takes it back when public again", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const said = word();
    await caption(owner, videoId, vtt([1, 2, said]));
    expect(await indexed(said)).toBe(1);

    const edit = (visibility: string) =>
      api(`/api/v1/videos/${videoId}`, { method: "PATCH", as: owner, json: { visibility } });
    // (Searches are cached per index version, which a video leaving the index bumps and one
    // joining does not: each state is asked with a page size of its own.) The cues stay
    // indexed in the captions database throughout; search resolves their video's listability.
    expect((await edit("private")).status).toBe(200);
    expect((await search(said, 19)).items).toHaveLength(0);
    expect(await indexed(said)).toBe(1);
    expect((await edit("public")).status).toBe(200);
    expect((await search(said)).items).toHaveLength(1);

    // Captions uploaded while unlisted are found once it is public.
    const later = word();
    expect((await edit("unlisted")).status).toBe(200);
    await caption(owner, videoId, vtt([1, 2, later]), "fr");
    expect((await search(later, 19)).items).toHaveLength(0);
    expect((await edit("public")).status).toBe(200);
    expect((await search(later)).items).toHaveLength(1);

    await env.DB.prepare("UPDATE videos SET blocked_at = ?, blocked_reason = 'test' WHERE id = ?")
      .bind(Date.now(), videoId)
      .run();
    expect((await search(said, 18)).items).toHaveLength(0);
    await env.DB.prepare("UPDATE videos SET blocked_at = NULL WHERE id = ?").bind(videoId).run();
    expect((await search(said, 17)).items).toHaveLength(1);

    expect((await api(`/api/v1/videos/${videoId}`, { method: "DELETE", as: owner })).status).toBe(204);
    expect((await search(later)).items).toHaveLength(0);
    // The video's tracks went with it, and their cues in the captions database with them.
    expect(await indexed(said)).toBe(0);
    expect(await indexed(later)).toBe(0);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM captions WHERE video_id = ?").bind(videoId).first("n");
    expect(left).toBe(0);
    const versions = await env.CAPTIONS.prepare("SELECT count(*) AS n FROM caption_tracks WHERE video_id = ?")
      .bind(videoId)
      .first("n");
    expect(versions).toBe(0);
  });
});

const page = (path: string) =>
  exports.default.fetch(
    new Request(`${BASE}${path}`, { headers: { Accept: "text/html", "CF-Connecting-IP": freshIp() } }),
  );

describe("captions on the pages", () => {
  it("the search page links each moment to the second it is said", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const said = word();
    await caption(owner, videoId, vtt([5, 7, `the ${said} moment`]));
    const html = await (await page(`/search?q=${said}`)).text();
    expect(html).toContain(`href="/watch/${videoId}?t=5"`);
    expect(html).toContain(`<mark>${said}</mark> moment`);
    expect(html).toContain("0:05");
  });

  it("the watch page offers each track as a sidecar <track> and a captions menu", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const bare = await (await page(`/watch/${videoId}`)).text();
    expect(bare).not.toContain("media-captions-menu");
    await caption(owner, videoId, vtt([1, 2, "Olá"]), "pt-BR");
    const html = await (await page(`/watch/${videoId}`)).text();
    expect(html).toMatch(
      new RegExp(
        `<track kind="subtitles" srclang="pt-BR" label="Português \\(Brasil\\)" src="${BASE}/videos/${videoId}/captions/pt-BR/[0-9a-f]{16}\\.vtt"`,
      ),
    );
    expect(html).toContain('<media-captions-menu hidden="" anchor="auto" id="captions-menu"');
    expect(html).toContain('invoketarget="captions-menu"');
  });
});
