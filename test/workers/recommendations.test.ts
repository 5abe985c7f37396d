import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  addVideo,
  api,
  coView,
  expectProblem,
  type Rec,
  recommendations,
  registerUser,
  related,
  subscribe,
  trend,
  waitFor,
  watch,
} from "./fixtures";

/** A word no other test uses, so content neighbours stay within one test. */
const word = () => `w${Math.random().toString(36).slice(2, 9)}`;

describe("recommendations: each candidate source and its reason", () => {
  it("co-views of a recent watch, normalised by popularity, say which watched video led there", async () => {
    const creator = await registerUser();
    const other = await registerUser();
    const viewer = await registerUser();
    const watched = await addVideo(creator, { title: `${word()} kayak rolling basics`, age: 20 });
    const niche = await addVideo(creator, { title: `${word()} kayak rescue drills`, age: 20 });
    const hit = await addVideo(other, { title: `${word()} funny cats compilation`, age: 20 });
    // The hit is co-viewed with the watched video more often, but with everything else too.
    await coView(watched, niche, 4);
    await coView(watched, hit, 6);
    for (let i = 0; i < 8; i++) {
      const filler = await addVideo(other, { title: `${word()} filler ${i}`, age: 30 });
      await coView(hit, filler, 50);
    }
    await watch(viewer, watched);

    const items = await recommendations(viewer);
    const ids = items.map((i) => i.id);
    expect(ids).toContain(niche);
    expect(ids).toContain(hit);
    expect(ids.indexOf(niche)).toBeLessThan(ids.indexOf(hit));
    expect(items.find((i) => i.id === niche)!.reason).toEqual({ type: "because_you_watched", video_id: watched });
    // Never the video that was watched (unfinished) as its own co-view.
    expect(items.find((i) => i.id === watched)?.reason.type).not.toBe("because_you_watched");
  });

  it("content similarity brings a new video with no co-views, because of the watched one", async () => {
    const creator = await registerUser();
    const viewer = await registerUser();
    const topic = word();
    const watched = await addVideo(creator, {
      title: `${topic} sourdough starter feeding`,
      tags: [topic, "sourdough", "bread"],
      age: 40,
    });
    const fresh = await addVideo(await registerUser(), {
      title: `${topic} sourdough bread shaping`,
      tags: [topic, "sourdough", "bread"],
      age: 0.1,
    });
    const stale = await addVideo(await registerUser(), {
      title: `${topic} sourdough crumb shots`,
      tags: [topic, "sourdough", "bread"],
      age: 60,
    });
    await watch(viewer, watched);

    const items = await recommendations(viewer);
    expect(items.find((i) => i.id === fresh)?.reason).toEqual({ type: "because_you_watched", video_id: watched });
    // Content speaks only for videos too new for co-views; an old one needs co-views.
    expect(items.map((i) => i.id)).not.toContain(stale);
  });

  it("new uploads of a subscribed channel are `subscribed`, naming the channel", async () => {
    const creator = await registerUser();
    const viewer = await registerUser();
    await subscribe(viewer, creator.channel_id);
    const upload = await addVideo(creator, { title: `${word()} weekly vlog`, age: 2 });
    const old = await addVideo(creator, { title: `${word()} vlog from last year`, age: 300 });

    const items = await recommendations(viewer);
    expect(items.find((i) => i.id === upload)?.reason).toEqual({ type: "subscribed", channel_id: creator.channel_id });
    expect(items.map((i) => i.id)).not.toContain(old);
  });

  it("several watches pointing at one video make it `similar_viewers`", async () => {
    const creator = await registerUser();
    const viewer = await registerUser();
    const seeds: string[] = [];
    for (let i = 0; i < 3; i++) seeds.push(await addVideo(creator, { title: `${word()} chess opening ${i}`, age: 30 }));
    const crowd = await addVideo(await registerUser(), { title: `${word()} endgame studies`, age: 30 });
    for (const seed of seeds) {
      await coView(seed, crowd, 5);
      await watch(viewer, seed);
    }
    const items = await recommendations(viewer);
    expect(items.find((i) => i.id === crowd)?.reason).toEqual({ type: "similar_viewers" });
  });

  it("anonymous callers get trending, and so does a new user with no history", async () => {
    const creator = await registerUser();
    const hot = await addVideo(creator, { title: `${word()} trending now` });
    const hidden = await addVideo(await registerUser(), { title: `${word()} private one`, visibility: "private" });
    await trend(hot, creator.channel_id, 1e6);
    await trend(hidden, "x", 2e6);

    const anonymous = await recommendations();
    expect(anonymous[0]).toMatchObject({ id: hot, reason: { type: "trending" } });
    expect(anonymous.map((i) => i.id)).not.toContain(hidden);
    const fresh = await recommendations(await registerUser());
    expect(fresh.find((i) => i.id === hot)?.reason).toEqual({ type: "trending" });
  });
});

describe("recommendations: trending by region", () => {
  it("uses the caller's country's list, and the global one for a country without a list", async () => {
    const creator = await registerUser();
    const local = await addVideo(creator, { title: `${word()} only big in one country` });
    const everywhere = await addVideo(await registerUser(), { title: `${word()} big everywhere` });
    await trend(local, creator.channel_id, 5e6, "NZ");
    await trend(everywhere, "c", 9e6);
    const from = (country: string) =>
      exports.default.fetch(
        new Request("http://cloudtube.test/api/v1/recommendations", {
          headers: { "CF-Connecting-IP": "198.51.100.9" },
          cf: { country },
        }),
      );
    const nz = (await (await from("NZ")).json()) as { items: Rec[] };
    expect(nz.items[0]).toMatchObject({ id: local, reason: { type: "trending" } });
    const elsewhere = (await (await from("IS")).json()) as { items: Rec[] };
    expect(elsewhere.items[0]).toMatchObject({ id: everywhere, reason: { type: "trending" } });
    expect(elsewhere.items.map((i) => i.id)).not.toContain(local);
  });
});

describe("recommendations: what is never listed", () => {
  it("leaves out finished, private, unlisted and the viewer's own videos, and keeps two per channel", async () => {
    const creator = await registerUser();
    const viewer = await registerUser();
    const seed = await addVideo(creator, { title: `${word()} seed`, age: 30 });
    const finished = await addVideo(creator, { title: `${word()} finished`, age: 30 });
    const priv = await addVideo(creator, { title: `${word()} private`, visibility: "private", age: 30 });
    const unlisted = await addVideo(creator, { title: `${word()} unlisted`, visibility: "unlisted", age: 30 });
    const processing = await addVideo(creator, { title: `${word()} processing`, status: "processing", age: 30 });
    const own = await addVideo(viewer, { title: `${word()} mine`, age: 30 });
    const busy = await registerUser();
    const many: string[] = [];
    for (let i = 0; i < 4; i++) many.push(await addVideo(busy, { title: `${word()} series part ${i}`, age: 30 }));
    for (const id of [finished, priv, unlisted, processing, own, ...many]) await coView(seed, id, 10);
    await watch(viewer, seed);
    await watch(viewer, finished, 115, 120);

    const ids = (await recommendations(viewer)).map((i) => i.id);
    for (const gone of [finished, priv, unlisted, processing, own]) expect(ids).not.toContain(gone);
    expect(ids.filter((id) => many.includes(id))).toHaveLength(2);
  });
});

describe("recommendations: cache", () => {
  it("serves the cached list until a new view counts, then computes afresh", async () => {
    const creator = await registerUser();
    const viewer = await registerUser();
    const first = await addVideo(creator, { title: `${word()} first`, age: 30 });
    const second = await addVideo(await registerUser(), { title: `${word()} second`, age: 30 });
    const later = await addVideo(await registerUser(), { title: `${word()} later`, age: 30 });
    await coView(first, second, 5);
    await watch(viewer, first);
    expect((await recommendations(viewer)).map((i) => i.id)).toContain(second);

    await coView(first, later, 50);
    // Cached: the new co-view does not show yet.
    expect((await recommendations(viewer)).map((i) => i.id)).not.toContain(later);
    // A new view (second video) goes through the watch-events queue and moves the version.
    await watch(viewer, second);
    const items = await waitFor(async () => {
      const list = await recommendations(viewer);
      return list.some((i) => i.id === later) ? list : undefined;
    }, "a fresh list");
    expect(items.find((i) => i.id === later)?.reason).toEqual({ type: "because_you_watched", video_id: first });
  });

  it("drops a cached video the moment it turns private", async () => {
    const creator = await registerUser();
    const viewer = await registerUser();
    const seed = await addVideo(creator, { title: `${word()} seed`, age: 30 });
    const soon = await addVideo(await registerUser(), { title: `${word()} soon private`, age: 30 });
    await coView(seed, soon, 5);
    await watch(viewer, seed);
    expect((await recommendations(viewer)).map((i) => i.id)).toContain(soon);
    await env.DB.prepare("UPDATE videos SET visibility = 'private' WHERE id = ?").bind(soon).run();
    expect((await recommendations(viewer)).map((i) => i.id)).not.toContain(soon);
  });
});

describe("related videos", () => {
  it("are co-views and similar content of the video, never itself, never private or unlisted", async () => {
    const creator = await registerUser();
    const topic = word();
    const video = await addVideo(creator, { title: `${topic} bouldering technique`, tags: [topic, "climbing"] });
    const coViewed = await addVideo(await registerUser(), { title: `${word()} finger strength`, age: 10 });
    const similar = await addVideo(await registerUser(), { title: `${topic} bouldering footwork`, tags: [topic] });
    const priv = await addVideo(await registerUser(), {
      title: `${topic} bouldering technique`,
      tags: [topic, "climbing"],
      visibility: "private",
    });
    const unlisted = await addVideo(await registerUser(), {
      title: `${topic} bouldering technique`,
      tags: [topic, "climbing"],
      visibility: "unlisted",
    });
    await coView(video, coViewed, 5);
    await coView(video, priv, 9);

    const ids = (await related(video)).map((i) => i.id);
    expect(ids).toContain(coViewed);
    expect(ids).toContain(similar);
    for (const never of [video, priv, unlisted]) expect(ids).not.toContain(never);
  });

  it("of a new video with no co-views come from its content alone", async () => {
    const topic = word();
    const old = await addVideo(await registerUser(), { title: `${topic} watercolour skies`, tags: [topic], age: 90 });
    const fresh = await addVideo(await registerUser(), { title: `${topic} watercolour clouds`, tags: [topic], age: 0 });
    expect((await related(fresh)).map((i) => i.id)[0]).toBe(old);
  });

  it("of someone's private video is a 404, as for no video at all", async () => {
    const owner = await registerUser();
    const priv = await addVideo(owner, { title: `${word()} secret`, visibility: "private" });
    await expectProblem(await api(`/api/v1/videos/${priv}/related`, { as: await registerUser() }), 404, "not_found");
    expect((await api(`/api/v1/videos/${priv}/related`, { as: owner })).status).toBe(200);
    expect((await api("/api/v1/videos/nope_nope/related")).status).toBe(404);
  });
});

describe("bad input", () => {
  it.each([
    "/api/v1/recommendations?limit=0",
    "/api/v1/recommendations?limit=ten",
    "/api/v1/videos/abc/related?limit=-1",
    "/api/v1/videos/bad%20id!/related",
  ])("%s is a 400 validation_failed", async (path) => {
    await expectProblem(await api(path), 400, "validation_failed");
  });
});
