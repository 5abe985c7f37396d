import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PLAYLIST_MAX_ITEMS } from "../../workers/storage/schema";
import { api, catalogueVideo, expectProblem, registerUser, type TestUser } from "./fixtures";
import {
  addItem,
  allItems,
  createPlaylist,
  getPlaylist,
  type Item,
  json,
  moveItem,
  type Playlist,
} from "./playlist-fixtures";

const videosOf = async (user: TestUser, n: number, duration = 60) => {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await catalogueVideo(user, { title: `Clip ${i}`, duration }));
  return ids;
};

describe("playlists", () => {
  it("makes a private playlist by default, and shows it to its owner only", async () => {
    const owner = await registerUser();
    const other = await registerUser();
    const playlist = await createPlaylist(owner, { title: "  Road trip  ", description: "Songs" });
    expect(playlist).toMatchObject({
      title: "Road trip",
      description: "Songs",
      visibility: "private",
      kind: "playlist",
      owner: { id: owner.id, username: owner.username, channel_id: owner.channel_id },
      item_count: 0,
      duration: 0,
    });
    expect(await getPlaylist(playlist.id, owner)).toEqual(playlist);
    await expectProblem(await api(`/api/v1/playlists/${playlist.id}`, { as: other }), 404, "not_found");
    await expectProblem(await api(`/api/v1/playlists/${playlist.id}`), 404, "not_found");
    const unlisted = await createPlaylist(owner, { visibility: "unlisted" });
    expect((await getPlaylist(unlisted.id)).visibility).toBe("unlisted");
  });

  it("adds at the end, first and right after an item, and answers positions in order", async () => {
    const user = await registerUser();
    const [a, b, c, d] = await videosOf(user, 4);
    const playlist = await createPlaylist(user, { visibility: "public" });
    const ia = await addItem(user, playlist.id, { video_id: a });
    const ib = await addItem(user, playlist.id, { video_id: b });
    expect([ia.position, ib.position]).toEqual([1, 2]);
    const ic = await addItem(user, playlist.id, { video_id: c, after_item_id: null });
    expect(ic.position).toBe(1);
    const id = await addItem(user, playlist.id, { video_id: d, after_item_id: ia.id });
    expect(id.position).toBe(3);
    const items = await allItems(playlist.id);
    expect(items.map((i) => i.video.id)).toEqual([c, a, d, b]);
    expect(items.map((i) => i.position)).toEqual([1, 2, 3, 4]);
    expect(items.map((i) => i.id)).toEqual([ic.id, ia.id, id.id, ib.id]);
    // Pages of one follow the same order.
    expect((await allItems(playlist.id, undefined, 1)).map((i) => i.id)).toEqual(items.map((i) => i.id));
    expect(await getPlaylist(playlist.id)).toMatchObject({ item_count: 4, duration: 240 });
  });

  it("moves an item by writing its row alone: every other item keeps its id and rank", async () => {
    const user = await registerUser();
    const ids = await videosOf(user, 5);
    const playlist = await createPlaylist(user);
    const items: Item[] = [];
    for (const v of ids) items.push(await addItem(user, playlist.id, { video_id: v }));
    const ranks = async () =>
      new Map(
        (
          await env.DB.prepare("SELECT id, rank FROM playlist_items WHERE playlist_id = ?").bind(playlist.id).all<{
            id: string;
            rank: string;
          }>()
        ).results.map((r) => [r.id, r.rank]),
      );
    const before = await ranks();
    const moved = await moveItem(user, playlist.id, items[4]!.id, { after_item_id: items[0]!.id });
    expect(moved).toMatchObject({ id: items[4]!.id, position: 2 });
    const after = await ranks();
    for (const item of items.slice(0, 4)) expect(after.get(item.id)).toBe(before.get(item.id));
    expect(after.get(items[4]!.id)).not.toBe(before.get(items[4]!.id));
    expect((await allItems(playlist.id, user)).map((i) => i.id)).toEqual([0, 4, 1, 2, 3].map((i) => items[i]!.id));
    // To the front, and to a numbered place.
    await moveItem(user, playlist.id, items[3]!.id, { after_item_id: null });
    await moveItem(user, playlist.id, items[0]!.id, { position: 5 });
    expect((await allItems(playlist.id, user)).map((i) => i.id)).toEqual([3, 4, 1, 2, 0].map((i) => items[i]!.id));
  });

  it("keeps the order of a reference list through many random moves, adds and removals", async () => {
    const user = await registerUser();
    const videos = await videosOf(user, 30, 10);
    const playlist = await createPlaylist(user);
    const reference: string[] = []; // item ids in order
    const itemOfVideo = new Map<string, string>();
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (const v of videos.slice(0, 20)) {
      const item = await addItem(user, playlist.id, { video_id: v });
      reference.push(item.id);
      itemOfVideo.set(v, item.id);
    }
    for (let step = 0; step < 120; step++) {
      const roll = random(10);
      if (roll < 8 && reference.length > 1) {
        const from = random(reference.length);
        const [moving] = reference.splice(from, 1) as [string];
        const to = random(reference.length + 1); // insert at index `to`
        const after = to === 0 ? null : reference[to - 1]!;
        await moveItem(user, playlist.id, moving, { after_item_id: after });
        reference.splice(to, 0, moving);
      } else if (roll === 8) {
        const spare = videos.find((v) => !itemOfVideo.has(v));
        if (!spare) continue;
        const to = random(reference.length + 1);
        const item = await addItem(user, playlist.id, {
          video_id: spare,
          after_item_id: to === 0 ? null : reference[to - 1]!,
        });
        reference.splice(to, 0, item.id);
        itemOfVideo.set(spare, item.id);
      } else if (reference.length > 1) {
        const at = random(reference.length);
        const [gone] = reference.splice(at, 1) as [string];
        expect(
          (await api(`/api/v1/playlists/${playlist.id}/items/${gone}`, { method: "DELETE", as: user })).status,
        ).toBe(204);
        for (const [v, i] of itemOfVideo) if (i === gone) itemOfVideo.delete(v);
      }
    }
    const items = await allItems(playlist.id, user, 7);
    expect(items.map((i) => i.id)).toEqual(reference);
    expect(items.map((i) => i.position)).toEqual(reference.map((_, i) => i + 1));
    expect(await getPlaylist(playlist.id, user)).toMatchObject({
      item_count: reference.length,
      duration: reference.length * 10,
    });
  });

  it("rebalances ranks that grew long, keeping the order and every id", async () => {
    const user = await registerUser();
    const videos = await videosOf(user, 3, 5);
    const playlist = await createPlaylist(user);
    const [first, second, third] = [
      await addItem(user, playlist.id, { video_id: videos[0]! }),
      await addItem(user, playlist.id, { video_id: videos[1]! }),
      await addItem(user, playlist.id, { video_id: videos[2]! }),
    ];
    // Always into the same narrowing gap: each move halves it, lengthening the rank.
    let longest = 0;
    for (let i = 0; i < 160; i++) {
      const moving = i % 2 ? second : third;
      await moveItem(user, playlist.id, moving.id, { after_item_id: first.id });
      const row = await env.DB.prepare("SELECT max(length(rank)) AS n FROM playlist_items WHERE playlist_id = ?")
        .bind(playlist.id)
        .first<{ n: number }>();
      longest = Math.max(longest, row!.n);
    }
    expect(longest).toBeLessThanOrEqual(24);
    // The last move put `second` (i = 159) right after `first`, before `third`.
    expect((await allItems(playlist.id, user)).map((i) => i.id)).toEqual([first.id, second.id, third.id]);
  });

  it("refuses a video twice (409) and a 5,001st item (400 playlist_full)", async () => {
    const user = await registerUser();
    const [a, b, c] = await videosOf(user, 3);
    const playlist = await createPlaylist(user);
    const item = await addItem(user, playlist.id, { video_id: a });
    const twice = await expectProblem(
      await api(`/api/v1/playlists/${playlist.id}/items`, { method: "POST", as: user, json: { video_id: a } }),
      409,
      "already_in_playlist",
    );
    expect(twice.item_id).toBe(item.id);
    // Fill to one short of the cap straight in D1 (the same rows the API writes).
    const filler = Array.from({ length: PLAYLIST_MAX_ITEMS - 2 }, (_, i) => i);
    const insert = env.DB.prepare(
      "INSERT INTO playlist_items (id, playlist_id, video_id, rank) SELECT ?, ?, ?, ? WHERE 1",
    );
    // Each filler item needs a distinct video: reuse one video per item is refused, so give each a row.
    const channelVideo = env.DB.prepare(
      "INSERT INTO videos (id, channel_id, owner_id, title, visibility, status) VALUES (?, ?, ?, 'f', 'private', 'processing')",
    );
    for (let i = 0; i < filler.length; i += 500) {
      const chunk = filler.slice(i, i + 500);
      await env.DB.batch(chunk.map((n) => channelVideo.bind(`fill${playlist.id}${n}`, user.channel_id, user.id)));
      await env.DB.batch(
        chunk.map((n) =>
          insert.bind(`fi${playlist.id}${n}`, playlist.id, `fill${playlist.id}${n}`, `a${String(n).padStart(5, "0")}`),
        ),
      );
    }
    expect(await env.DB.prepare("SELECT size FROM playlists WHERE id = ?").bind(playlist.id).first()).toEqual({
      size: PLAYLIST_MAX_ITEMS - 1,
    });
    await addItem(user, playlist.id, { video_id: b });
    const full = await expectProblem(
      await api(`/api/v1/playlists/${playlist.id}/items`, { method: "POST", as: user, json: { video_id: c } }),
      400,
      "playlist_full",
    );
    expect(full.max_items).toBe(PLAYLIST_MAX_ITEMS);
  });

  it("gives every user a private Watch later list, made on first use, under the watch_later alias", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const [v] = await videosOf(user, 1);
    const wl = await getPlaylist("watch_later", user);
    expect(wl).toMatchObject({ kind: "watch_later", title: "Watch later", visibility: "private" });
    expect(wl.id).not.toBe("watch_later");
    // The same list every time, by alias or id.
    expect((await getPlaylist("watch_later", user)).id).toBe(wl.id);
    await addItem(user, "watch_later", { video_id: v });
    expect((await allItems(wl.id, user)).map((i) => i.video.id)).toEqual([v]);
    expect((await getPlaylist("watch_later", other)).id).not.toBe(wl.id);
    await expectProblem(await api(`/api/v1/playlists/${wl.id}`, { as: other }), 404, "not_found");
    await expectProblem(await api("/api/v1/playlists/watch_later"), 401, "unauthorized");
    for (const edit of [{ visibility: "public" }, { visibility: "unlisted" }, { title: "Later" }]) {
      await expectProblem(
        await api("/api/v1/playlists/watch_later", { method: "PATCH", as: user, json: edit }),
        400,
        "watch_later_fixed",
      );
    }
    await expectProblem(
      await api(`/api/v1/playlists/${wl.id}`, { method: "DELETE", as: user }),
      400,
      "watch_later_fixed",
    );
    // Its description is the owner's to write.
    const edited = await json<Playlist>(
      await api("/api/v1/playlists/watch_later", { method: "PATCH", as: user, json: { description: "for Sunday" } }),
      200,
    );
    expect(edited.description).toBe("for Sunday");
  });

  it("lists the caller's playlists with Watch later first, and where each holds a video", async () => {
    const user = await registerUser();
    const [v] = await videosOf(user, 1);
    const a = await createPlaylist(user, { title: "A" });
    const b = await createPlaylist(user, { title: "B" });
    const item = await addItem(user, b.id, { video_id: v });
    const list = await json<{ items: (Playlist & { saved_item_id?: string | null })[]; total: number }>(
      await api(`/api/v1/users/me/playlists?video_id=${v}`, { as: user }),
      200,
    );
    expect(list.total).toBe(3);
    expect(list.items.map((p) => p.kind)).toEqual(["watch_later", "playlist", "playlist"]);
    expect(list.items.find((p) => p.id === b.id)?.saved_item_id).toBe(item.id);
    expect(list.items.find((p) => p.id === a.id)?.saved_item_id).toBeNull();
    await expectProblem(await api("/api/v1/users/me/playlists"), 401, "unauthorized");
  });

  it("lists a channel's public playlists only", async () => {
    const user = await registerUser();
    const pub = await createPlaylist(user, { title: "Public one", visibility: "public" });
    await createPlaylist(user, { title: "Unlisted", visibility: "unlisted" });
    await createPlaylist(user, { title: "Private" });
    await getPlaylist("watch_later", user);
    const list = await json<{ items: Playlist[]; total: number }>(
      await api(`/api/v1/channels/${user.channel_id}/playlists`),
      200,
    );
    expect(list.items.map((p) => p.id)).toEqual([pub.id]);
    expect(list.total).toBe(1);
    await expectProblem(await api("/api/v1/channels/nosuchchannel/playlists"), 404, "not_found");
  });

  it("deletes a playlist and its items", async () => {
    const user = await registerUser();
    const [v] = await videosOf(user, 1);
    const playlist = await createPlaylist(user);
    await addItem(user, playlist.id, { video_id: v });
    expect((await api(`/api/v1/playlists/${playlist.id}`, { method: "DELETE", as: user })).status).toBe(204);
    await expectProblem(await api(`/api/v1/playlists/${playlist.id}`, { as: user }), 404, "not_found");
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM playlist_items WHERE playlist_id = ?").bind(playlist.id).first(),
    ).toEqual({ n: 0 });
  });
});

describe("playlists: what others see", () => {
  const setVideo = (id: string, set: string) => env.DB.prepare(`UPDATE videos SET ${set} WHERE id = ?`).bind(id).run();

  it("leaves out a video that turns private, counts and duration too, and brings it back in its place", async () => {
    const creator = await registerUser();
    const curator = await registerUser();
    const viewer = await registerUser();
    const [a, b, c] = [
      await catalogueVideo(creator, { title: "A", duration: 10 }),
      await catalogueVideo(creator, { title: "B", duration: 20, visibility: "unlisted" }),
      await catalogueVideo(creator, { title: "C", duration: 40 }),
    ];
    const playlist = await createPlaylist(curator, { visibility: "public" });
    for (const v of [a, b, c]) await addItem(curator, playlist.id, { video_id: v });
    expect(await getPlaylist(playlist.id, viewer)).toMatchObject({ item_count: 3, duration: 70 });

    // Its owner makes B private: gone for everyone else, the playlist's owner included.
    await api(`/api/v1/videos/${b}`, { method: "PATCH", as: creator, json: { visibility: "private" } });
    for (const who of [viewer, curator, undefined]) {
      expect((await allItems(playlist.id, who)).map((i) => i.video.id)).toEqual([a, c]);
      expect((await allItems(playlist.id, who)).map((i) => i.position)).toEqual([1, 2]);
      expect(await getPlaylist(playlist.id, who)).toMatchObject({ item_count: 2, duration: 50 });
    }
    // ... but not for the video's own owner.
    expect((await allItems(playlist.id, creator)).map((i) => i.video.id)).toEqual([a, b, c]);
    expect(await getPlaylist(playlist.id, creator)).toMatchObject({ item_count: 3, duration: 70 });

    // Public again: back in its place.
    await api(`/api/v1/videos/${b}`, { method: "PATCH", as: creator, json: { visibility: "public" } });
    expect((await allItems(playlist.id, viewer)).map((i) => i.video.id)).toEqual([a, b, c]);
    expect(await getPlaylist(playlist.id, viewer)).toMatchObject({ item_count: 3, duration: 70 });
  });

  it("leaves out blocked videos and those of suspended owners until they come back, and drops deleted ones", async () => {
    const creator = await registerUser();
    const curator = await registerUser();
    const [a, b, c] = [
      await catalogueVideo(creator, { title: "A", duration: 10 }),
      await catalogueVideo(creator, { title: "B", duration: 20 }),
      await catalogueVideo(curator, { title: "C", duration: 40 }),
    ];
    const playlist = await createPlaylist(curator, { visibility: "public" });
    for (const v of [a, b, c]) await addItem(curator, playlist.id, { video_id: v });
    const seen = async () => ({
      ids: (await allItems(playlist.id)).map((i) => i.video.id),
      counts: await getPlaylist(playlist.id),
    });

    await setVideo(a, "blocked_at = 1, blocked_reason = 'x'");
    expect((await seen()).ids).toEqual([b, c]);
    expect((await seen()).counts).toMatchObject({ item_count: 2, duration: 60 });
    await setVideo(a, "blocked_at = NULL");
    expect((await seen()).ids).toEqual([a, b, c]);

    await env.DB.prepare("UPDATE users SET suspended_until = ? WHERE id = ?")
      .bind(Date.now() + 86_400_000, creator.id)
      .run();
    expect((await seen()).ids).toEqual([c]);
    expect((await seen()).counts).toMatchObject({ item_count: 1, duration: 40 });
    await env.DB.prepare("UPDATE users SET suspended_until = NULL WHERE id = ?").bind(creator.id).run();
    expect((await seen()).ids).toEqual([a, b, c]);

    expect((await api(`/api/v1/videos/${b}`, { method: "DELETE", as: creator })).status).toBe(204);
    expect((await seen()).ids).toEqual([a, c]);
    expect((await seen()).counts).toMatchObject({ item_count: 2, duration: 50 });
    expect(await env.DB.prepare("SELECT size FROM playlists WHERE id = ?").bind(playlist.id).first()).toEqual({
      size: 2,
    });
  });

  it("counts a video that becomes ready once it is ready", async () => {
    const user = await registerUser();
    const pending = await catalogueVideo(user, { title: "Soon", status: "processing" });
    const playlist = await createPlaylist(user, { visibility: "public" });
    await addItem(user, playlist.id, { video_id: pending });
    expect(await getPlaylist(playlist.id)).toMatchObject({ item_count: 0, duration: 0 });
    expect(await getPlaylist(playlist.id, user)).toMatchObject({ item_count: 1 });
    await setVideo(pending, "status = 'ready', duration_ms = 90500");
    expect(await getPlaylist(playlist.id)).toMatchObject({ item_count: 1, duration: 91 });
  });
});
