import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { writeVersions } from "../../workers/storage/caption-cues";
import { sweepVersions, UNNAMED_GRACE_MS } from "../../workers/storage/captions";
import { database } from "../../workers/storage/db";
import { BROAD_CUE_SCORE, cueWindow, runAll, TRANSCRIPT_COMMON, TRANSCRIPT_WINDOW } from "../../workers/storage/search";
import { caption, vtt, word } from "./caption-fixtures";
import { api, readyVideo, registerUser } from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

// Caption cues live in the CAPTIONS database (migration 0023, migrations/captions): each track
// row in DB names its current version there (DB's own cues, moved there by the cron of the
// release before, were dropped by migration 0024: test/node/drop-moved-cues.test.ts).

stubTranscoder();

async function transcript(videoId: string, language = "en") {
  const res = await api(`/api/v1/videos/${videoId}/transcript?language=${language}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { cues: { start: number; text: string }[] }).cues.map((c) => [c.start, c.text]);
}

/** A search's hits and their moments; `limit` varies the cache key (answers are cached per index version). */
async function said(q: string, limit = 20) {
  const res = await api(`/api/v1/search?${new URLSearchParams({ q, limit: String(limit) })}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { items: { id: string; moments?: { start: number }[] }[] };
  return body.items.map((i) => [i.id, (i.moments ?? []).map((m) => m.start)]);
}

const keyOf = (videoId: string, language = "en") =>
  env.DB.prepare("SELECT cues_key FROM captions WHERE video_id = ? AND language = ?")
    .bind(videoId, language)
    .first<number | null>("cues_key");

/** Versions in CAPTIONS of a video's tracks, and cues of each, by key. */
async function versionsOf(videoId: string) {
  const { results } = await env.CAPTIONS.prepare(
    `SELECT t.id, (SELECT count(*) FROM caption_cues q WHERE q.track = t.id) AS cues
     FROM caption_tracks t WHERE t.video_id = ? ORDER BY t.created_at`,
  )
    .bind(videoId)
    .all<{ id: number; cues: number }>();
  return results;
}

describe("caption cues in the captions database", () => {
  it("keeps a saved track's cues there, one version at a time, named by its row", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const first = word();
    await caption(owner, videoId, vtt([1, 2, `${first} one`], [3, 4, "two"]));
    const key = await keyOf(videoId);
    expect(key).toBeGreaterThan(0);
    expect(await versionsOf(videoId)).toEqual([{ id: key, cues: 2 }]);
    expect(await transcript(videoId)).toEqual([
      [1, `${first} one`],
      [3, "two"],
    ]);
    expect(await said(first)).toEqual([[videoId, [1]]]);

    // Replaced: a new version under a new key; the old one goes, from the index too.
    const second = word();
    await caption(owner, videoId, vtt([5, 6, `${second} three`]));
    const replaced = await keyOf(videoId);
    expect(replaced).not.toBe(key);
    expect(await versionsOf(videoId)).toEqual([{ id: replaced, cues: 1 }]);
    expect(await transcript(videoId)).toEqual([[5, `${second} three`]]);
    expect(await said(second)).toEqual([[videoId, [5]]]);
    expect(await said(first, 19)).toEqual([]);

    // Removed: its version goes with it.
    const removed = await api(`/api/v1/videos/${videoId}/captions/en`, { method: "DELETE", as: owner });
    expect(removed.status).toBe(204);
    expect(await versionsOf(videoId)).toEqual([]);
    expect(await said(second, 18)).toEqual([]);
  });

  it("sweeps versions no row names once they are an hour old, and keeps the named and the young", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    await caption(owner, videoId, vtt([1, 2, "kept"]));
    const named = await keyOf(videoId);
    const now = Date.now();
    const version = { videoId, language: "en", cues: [{ start: 0, end: 1000, text: "stray" }] };
    const [old] = await writeVersions(env.CAPTIONS, [version], now - UNNAMED_GRACE_MS - 1);
    const [young] = await writeVersions(env.CAPTIONS, [version], now - 1000);
    // From key 0: the page holds all three.
    expect(await sweepVersions(database(env.DB), env.CAPTIONS, 0, 100, now)).toBe(1);
    const left = (await versionsOf(videoId)).map((v) => v.id).sort();
    expect(left).toEqual([named, young].sort());
    expect(left).not.toContain(old);
    const strays = await env.CAPTIONS.prepare(
      "SELECT count(*) AS n FROM transcript_search WHERE transcript_search MATCH 'stray'",
    ).first("n");
    expect(strays).toBe(1);
    // From the largest key, the page wraps round to the smallest: the young one, once old, goes too.
    expect(
      await sweepVersions(database(env.DB), env.CAPTIONS, Number.MAX_SAFE_INTEGER, 100, now + UNNAMED_GRACE_MS),
    ).toBe(1);
    expect((await versionsOf(videoId)).map((v) => v.id)).toEqual([named]);
    expect(await transcript(videoId)).toEqual([[1, "kept"]]);
  });

  it("leaves a deleted account's versions to the sweep; search and the routes never reach them", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const w = word();
    await caption(owner, videoId, vtt([1, 2, w]));
    // What a cascade does (an account's deletion): the rows go in DB, nothing reaches CAPTIONS.
    await env.DB.prepare("DELETE FROM videos WHERE id = ?").bind(videoId).run();
    expect(await versionsOf(videoId)).toHaveLength(1);
    expect(await said(w)).toEqual([]);
    const res = await api(`/api/v1/videos/${videoId}/transcript?language=en`);
    expect(res.status).toBe(404);
    expect(await sweepVersions(database(env.DB), env.CAPTIONS, 0, 100, Date.now() + UNNAMED_GRACE_MS + 1)).toBe(1);
    expect(await versionsOf(videoId)).toEqual([]);
  });

  it("scores a broad query's cues without bm25: a window of matches full, or a word said in many cues", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "public", "Written words");
    const common = word();
    const rare = word();
    // A track saying `common` in TRANSCRIPT_COMMON cues, `rare` beside it in one of them.
    const cues = Array.from({ length: TRANSCRIPT_COMMON }, (_, i) => ({
      start: i * 1000,
      end: i * 1000 + 900,
      text: i === 7 ? `${common} and ${rare}` : `${common} number ${i}`,
    }));
    const [key] = await writeVersions(env.CAPTIONS, [{ videoId, language: "en", cues }], Date.now());
    await env.DB.prepare(
      `INSERT INTO captions (video_id, language, label, source, status, rev, cue_count, updated_at, cues_key)
       VALUES (?, 'en', 'English', 'uploaded', 'ready', 'test', ?, ?, ?)`,
    )
      .bind(videoId, cues.length, Date.now(), key)
      .run();
    const scores = async (...words: string[]) => {
      const match = { prefixed: "", exact: words.map((w) => `"${w}"`).join(" AND "), last: "", words };
      const [found] = await runAll(env.CAPTIONS, [cueWindow(env.CAPTIONS, match)] as const);
      return found;
    };
    // The window full (TRANSCRIPT_WINDOW matches): broad, the version found once.
    expect(await scores(common)).toEqual([{ key, score: BROAD_CUE_SCORE }]);
    // One match, but with a word said in TRANSCRIPT_COMMON cues: broad as well.
    expect(await scores(common, rare)).toEqual([{ key, score: BROAD_CUE_SCORE }]);
    // One match of a rare word alone: bm25.
    const [narrow] = await scores(rare);
    expect(narrow?.key).toBe(key);
    expect(narrow?.score).toBeLessThan(BROAD_CUE_SCORE);
    expect(TRANSCRIPT_WINDOW).toBeLessThan(TRANSCRIPT_COMMON);

    // Through the API: the video found by its captions, its first three moments in time order.
    const found = await said(common);
    expect(found).toEqual([[videoId, [0, 1, 2]]]);
  });
});
