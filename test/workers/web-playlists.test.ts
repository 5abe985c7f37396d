import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { browser, signIn } from "./browser-fixtures";
import { api, catalogueVideo, registerUser, type TestUser } from "./fixtures";
import { addItem, allItems, createPlaylist } from "./playlist-fixtures";

/** A page script's content-hashed URL, by its name (the build's manifest). */
async function scriptSrc(name: string): Promise<string> {
  const res = await env.ASSETS.fetch("http://cloudtube.test/assets/manifest.json");
  const { scripts } = (await res.json()) as { scripts: Record<string, { src: string }> };
  const src = scripts[name]?.src;
  if (!src) throw new Error(`no script ${name} in the manifest`);
  return src;
}

/**
 * Whether the watch page's player script loads `name` (after the first frame: player.ts
 * imports the rest of the page, so those scripts are named in it, not in the HTML).
 */
async function playerLoads(name: string): Promise<boolean> {
  const player = await (await env.ASSETS.fetch(`http://cloudtube.test${await scriptSrc("player")}`)).text();
  return player.includes((await scriptSrc(name)).split("/").at(-1) ?? "?");
}

/** A public playlist of `n` videos of `user`'s (titles Clip 1..n), with its items. */
async function listOf(user: TestUser, n: number, visibility = "public") {
  const playlist = await createPlaylist(user, { title: "Weekend mix", visibility, description: "Things to watch" });
  const videos: string[] = [];
  const items = [];
  for (let i = 1; i <= n; i++) {
    const video = await catalogueVideo(user, { title: `Clip ${i}`, duration: 30 });
    videos.push(video);
    items.push(await addItem(user, playlist.id, { video_id: video }));
  }
  return { playlist, videos, items };
}

describe("the playlist page", () => {
  it("shows the list in order with play links, and the owner's controls only to the owner", async () => {
    const owner = await registerUser();
    const { playlist, videos, items } = await listOf(owner, 3);
    const visitor = await browser(`/playlist/${playlist.id}`);
    expect(visitor.status).toBe(200);
    const html = await visitor.text();
    expect(html).toContain("<h1>Weekend mix</h1>");
    expect(html).toContain("Things to watch");
    expect(html).toContain("3 videos");
    expect([...html.matchAll(/class="card-title">Clip (\d)</g)].map((m) => m[1])).toEqual(["1", "2", "3"]);
    expect(html).toContain(`href="/watch/${videos[0]}?list=${playlist.id}"`);
    expect(html).toContain(`href="/playlist/${playlist.id}/play?shuffle=1"`);
    expect(html).not.toContain("/items/");
    expect(html).not.toContain(await scriptSrc("playlist"));

    const mine = await (await (await signIn(owner)).get(`/playlist/${playlist.id}`)).text();
    expect(mine).toContain(`action="/playlist/${playlist.id}/items/${items[1]!.id}/move"`);
    expect(mine).toContain(`action="/playlist/${playlist.id}/items/${items[1]!.id}/remove"`);
    expect(mine).toContain('draggable="true"');
    expect(mine).toContain(await scriptSrc("playlist"));
  });

  it("moves, removes, edits and deletes through plain forms", async () => {
    const owner = await registerUser();
    const session = await signIn(owner);
    const { playlist, items } = await listOf(owner, 3);
    const moved = await session.post(`/playlist/${playlist.id}/items/${items[2]!.id}/move`, { direction: "up" });
    expect(moved.status).toBe(303);
    expect(moved.headers.get("Location")).toBe(`/playlist/${playlist.id}#item-${items[2]!.id}`);
    expect((await allItems(playlist.id, owner)).map((i) => i.id)).toEqual([items[0]!.id, items[2]!.id, items[1]!.id]);
    await session.post(`/playlist/${playlist.id}/items/${items[0]!.id}/move`, { direction: "down" });
    expect((await allItems(playlist.id, owner)).map((i) => i.id)).toEqual([items[2]!.id, items[0]!.id, items[1]!.id]);
    // At the top, up stays.
    await session.post(`/playlist/${playlist.id}/items/${items[2]!.id}/move`, { direction: "up" });
    expect((await allItems(playlist.id, owner))[0]!.id).toBe(items[2]!.id);

    expect((await session.post(`/playlist/${playlist.id}/items/${items[0]!.id}/remove`)).status).toBe(303);
    expect((await allItems(playlist.id, owner)).map((i) => i.id)).toEqual([items[2]!.id, items[1]!.id]);

    const edited = await session.post(`/playlist/${playlist.id}`, {
      title: "Renamed",
      description: "",
      visibility: "unlisted",
    });
    expect(edited.headers.get("Location")).toBe(`/playlist/${playlist.id}?notice=Saved`);
    expect(await (await api(`/api/v1/playlists/${playlist.id}`)).json()).toMatchObject({
      title: "Renamed",
      description: "",
      visibility: "unlisted",
    });
    // Without the CSRF field, nothing happens.
    const forged = await browser(`/playlist/${playlist.id}/delete`, { cookie: session.cookie, form: {} });
    expect(forged.status).toBe(403);
    const deleted = await session.post(`/playlist/${playlist.id}/delete`);
    expect(deleted.headers.get("Location")).toBe("/playlists");
    expect((await api(`/api/v1/playlists/${playlist.id}`)).status).toBe(404);
  });

  it("keeps a private playlist from others, and sends a visitor to sign in for Watch later", async () => {
    const owner = await registerUser();
    const { playlist } = await listOf(owner, 1, "private");
    expect((await browser(`/playlist/${playlist.id}`)).status).toBe(404);
    expect((await (await signIn(await registerUser())).get(`/playlist/${playlist.id}`)).status).toBe(404);
    const visitor = await browser("/playlist/watch_later");
    expect(visitor.status).toBe(302);
    expect(visitor.headers.get("Location")).toBe("/login?next=%2Fplaylist%2Fwatch_later");
    const later = await (await (await signIn(owner)).get("/playlist/watch_later")).text();
    expect(later).toContain("<h1>Watch later</h1>");
    expect(later).toContain("Watch later is always private");
  });

  it("makes playlists from /playlists, Watch later listed first", async () => {
    const owner = await registerUser();
    const session = await signIn(owner);
    const made = await session.post("/playlists", { title: "Cooking", visibility: "public" });
    expect(made.status).toBe(303);
    const id = made.headers.get("Location")!.replace("/playlist/", "");
    expect(await (await api(`/api/v1/playlists/${id}`)).json()).toMatchObject({
      title: "Cooking",
      visibility: "public",
    });
    const page = await (await session.get("/playlists")).text();
    expect(page.indexOf("Watch later")).toBeLessThan(page.indexOf("Cooking"));
  });

  it("plays all from the first video, or shuffled with a seed the watch page keeps", async () => {
    const owner = await registerUser();
    const { playlist, videos } = await listOf(owner, 4);
    const all = await browser(`/playlist/${playlist.id}/play`);
    expect(all.status).toBe(303);
    expect(all.headers.get("Location")).toBe(`/watch/${videos[0]}?list=${playlist.id}`);
    const shuffled = await browser(`/playlist/${playlist.id}/play?shuffle=1`);
    const location = new URL(shuffled.headers.get("Location")!, "http://x");
    expect(videos).toContain(location.pathname.replace("/watch/", ""));
    expect(location.searchParams.get("list")).toBe(playlist.id);
    expect(location.searchParams.get("shuffle")).toMatch(/^\d+$/);
  });
});

describe("the watch page with a list", () => {
  it("shows the list beside the player, marks the video playing, and names the next one", async () => {
    const owner = await registerUser();
    const { playlist, videos } = await listOf(owner, 3);
    const res = await browser(`/watch/${videos[1]}?list=${playlist.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('id="playlist-panel"');
    expect(html).toContain(`data-next-url="/watch/${videos[2]}?list=${playlist.id}"`);
    expect(html).toContain('data-next-title="Clip 3"');
    expect(html).toMatch(new RegExp(`aria-current="true" data-video-id="${videos[1]}"`));
    expect(html).toContain("2 / 3");
    // watch-list.ts (autoplay next) loads after the first frame, where the panel is.
    expect(await playerLoads("watch-list")).toBe(true);
    const last = await (await browser(`/watch/${videos[2]}?list=${playlist.id}`)).text();
    expect(last).toContain('data-next-url=""');
    expect(last).toContain("This is the end of the list.");
  });

  it("follows the shuffled order of its seed to the end, each video once", async () => {
    const owner = await registerUser();
    const { playlist, videos } = await listOf(owner, 5);
    const first = new URL(
      (await browser(`/playlist/${playlist.id}/play?shuffle=1`)).headers.get("Location")!,
      "http://x",
    );
    const seen = [first.pathname.replace("/watch/", "")];
    let url: string = first.pathname + first.search;
    for (;;) {
      const html = await (await browser(url)).text();
      const next = /data-next-url="([^"]*)"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
      if (!next) break;
      url = next;
      seen.push(new URL(next, "http://x").pathname.replace("/watch/", ""));
    }
    expect([...seen].sort()).toEqual([...videos].sort());
  });

  it("leaves out a list the viewer may not see, and plays the video anyway", async () => {
    const owner = await registerUser();
    const { playlist, videos } = await listOf(owner, 2, "private");
    const html = await (await browser(`/watch/${videos[0]}?list=${playlist.id}`)).text();
    expect(html).not.toContain('id="playlist-panel"');
    expect((await browser(`/watch/${videos[0]}?list=nosuchlist`)).status).toBe(200);
  });

  it("offers Save to a signed-in viewer (the menu and its script), and sign-in to a visitor", async () => {
    const owner = await registerUser();
    const video = await catalogueVideo(owner, { title: "Keep me" });
    const signedOut = await (await browser(`/watch/${video}`)).text();
    expect(signedOut).toContain(`href="/login?next=%2Fwatch%2F${video}"`);
    expect(signedOut).not.toContain('id="save-dialog"');
    const viewer = await (await (await signIn(await registerUser())).get(`/watch/${video}`)).text();
    expect(viewer).toContain('id="save"');
    expect(viewer).toContain(`id="save-dialog"`);
    expect(viewer).toContain(`data-video-id="${video}"`);
    // save.ts loads after the first frame for a signed-in viewer.
    expect(viewer).toContain('data-signed-in="1"');
    expect(await playerLoads("save")).toBe(true);
  });
});

describe("the channel page", () => {
  it("lists the channel's public playlists only", async () => {
    const owner = await registerUser();
    await createPlaylist(owner, { title: "Open list", visibility: "public" });
    await createPlaylist(owner, { title: "Hidden list", visibility: "unlisted" });
    const html = await (await browser(`/channel/${owner.channel_id}`)).text();
    expect(html).toContain("Open list");
    expect(html).not.toContain("Hidden list");
  });
});
