import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AssetManifest } from "../../workers/lib/assets";
import {
  api,
  FMP4_MASTER,
  fmp4Playlist,
  freshIp,
  processingVideo,
  readyFmp4Video,
  readyVideo,
  registerUser,
  rendition,
  type TestUser,
} from "./fixtures";
import { putMedia, sendEvent, stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const BASE = "http://cloudtube.test";

async function watchPage(videoId: string, as?: TestUser) {
  const headers = new Headers({ "CF-Connecting-IP": freshIp(), Accept: "text/html" });
  if (as) {
    const login = await exports.default.fetch(
      new Request(`${BASE}/login`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE },
        body: new URLSearchParams({ email: as.email, password: as.password, next: "/" }).toString(),
        redirect: "manual",
      }),
    );
    headers.set("Cookie", login.headers.get("Set-Cookie")!.split(";")[0]!);
  }
  const res = await exports.default.fetch(new Request(`${BASE}/watch/${videoId}`, { headers }));
  expect(res.status).toBe(200);
  return { res, html: await res.text() };
}

/** A Link header's entries as [url, params]. */
const links = (header: string | null) =>
  (header ?? "")
    .split(/,\s*(?=<)/)
    .filter(Boolean)
    .map((entry) => {
      const [, url, params] = /^<([^>]+)>;\s*(.*)$/.exec(entry.trim())!;
      return [url!, params!] as const;
    });

/** The playlists the watch page carries for its player (#hls-playlists), by URL. */
function inlined(html: string): Record<string, string> {
  const json = /<script type="application\/json" id="hls-playlists">([^<]*)<\/script>/.exec(html)?.[1];
  expect(json, "the page carries its playlists").toBeDefined();
  return JSON.parse(json!) as Record<string, string>;
}

const manifest = async () =>
  (await (await env.ASSETS.fetch(new Request(`${BASE}/assets/manifest.json`))).json()) as AssetManifest;

describe("watch page: where playback starts", () => {
  it("tells the player its start level (the lowest of 360p or more) and preloads that rendition's first files", async () => {
    const { videoId } = await readyFmp4Video(await registerUser());
    const { res, html } = await watchPage(videoId);
    // hls.js sorts its levels by height: 144p is 0, 360p is 1.
    expect(html).toContain('data-start-level="1"');
    const media = `${BASE}/videos/${videoId}`;
    const player = (await manifest()).scripts.player!;
    // The playlists come with the page (below), so only the start rendition's media is preloaded.
    expect(links(res.headers.get("Link"))).toEqual([
      [player.src, "rel=modulepreload"],
      ...player.imports.map((chunk) => [chunk, "rel=modulepreload"]),
      ...[`${media}/360p/init.mp4`, `${media}/360p/seg_00000.m4s`].map((url) => [
        url,
        "rel=preload; as=fetch; crossorigin=anonymous",
      ]),
    ]);
    // What is preloaded is what the player will ask for: each answers 200.
    for (const [url, params] of links(res.headers.get("Link"))) {
      if (params.includes("as=fetch")) expect((await exports.default.fetch(new Request(url))).status, url).toBe(200);
    }
    // The page's one script is the player; the rest of the page (the site-wide script too)
    // loads after the first frame. Other pages load the site-wide script with the page.
    const scripts = [...html.matchAll(/<script type="module" src="([^"]+)"/g)].map((m) => m[1]);
    const common = (await manifest()).scripts.common!.src;
    expect(scripts).toEqual([player.src]);
    const home = await (
      await exports.default.fetch(new Request(`${BASE}/`, { headers: { Accept: "text/html" } }))
    ).text();
    expect([...home.matchAll(/<script type="module" src="([^"]+)"/g)].map((m) => m[1])).toContain(common);
  });

  it("carries a ready video's master and start playlists, each exactly as the media route serves it", async () => {
    const { videoId } = await readyFmp4Video(await registerUser());
    const { html } = await watchPage(videoId);
    const playlists = inlined(html);
    const media = `${BASE}/videos/${videoId}`;
    expect(Object.keys(playlists)).toEqual([`${media}/master.m3u8`, `${media}/360p/index.m3u8`]);
    for (const [url, text] of Object.entries(playlists)) {
      const served = await exports.default.fetch(new Request(url));
      expect(served.status, url).toBe(200);
      expect(text, url).toBe(await served.text());
    }
    expect(playlists[`${media}/360p/index.m3u8`]).toContain("#EXT-X-ENDLIST");
  });

  it("carries a private video's playlists with the page's playback token on every URI, as served", async () => {
    const owner = await registerUser();
    const { videoId } = await readyFmp4Video(owner, "private");
    const { html } = await watchPage(videoId, owner);
    const token = new URL(/data-hls="([^"]+)"/.exec(html)![1]!.replaceAll("&amp;", "&")).searchParams.get("token")!;
    const playlists = inlined(html);
    expect(Object.keys(playlists)).toHaveLength(2);
    for (const [url, text] of Object.entries(playlists)) {
      expect(new URL(url).searchParams.get("token"), url).toBe(token);
      expect(text, url).toBe(await (await exports.default.fetch(new Request(url))).text());
      const uris = text.split("\n").filter((line) => line && !line.startsWith("#"));
      expect(uris.length, url).toBeGreaterThan(0);
      for (const uri of uris) expect(new URL(uri, url).searchParams.get("token"), uri).toBe(token);
    }
  });

  it("carries no playlists while the video processes (its playlists still change), nor where none plays", async () => {
    const owner = await registerUser();
    const { videoId, job } = await processingVideo(owner);
    // The start rendition is out and playable; the ladder goes on.
    for (const [path, body, type] of [
      ["360p/index.m3u8", fmp4Playlist(), "application/vnd.apple.mpegurl"],
      ["master.m3u8", FMP4_MASTER, "application/vnd.apple.mpegurl"],
    ] as const)
      expect((await putMedia(job, path, body, type)).status).toBe(201);
    const ready = await sendEvent(job, {
      type: "rendition_ready",
      rendition: { ...rendition("360p", 360), codecs: "avc1.64001e,mp4a.40.2" },
      master_updated: true,
    });
    expect(ready.status).toBe(204);
    const { res, html } = await watchPage(videoId);
    expect(html).toContain('data-start-level="0"');
    expect(html).not.toContain('id="hls-playlists"');
    // Fetched instead, so preloaded.
    expect(links(res.headers.get("Link")).filter(([, p]) => p.includes("as=fetch"))[0]?.[0]).toBe(
      `${BASE}/videos/${videoId}/master.m3u8`,
    );
    const { html: none } = await watchPage((await processingVideo(owner)).videoId);
    expect(none).not.toContain('id="hls-playlists"');
  });

  it("starts a ladder that stops below 360p at its top, and a TS video with its first segment (no init segment)", async () => {
    const { videoId } = await readyVideo(await registerUser());
    const { res, html } = await watchPage(videoId);
    expect(html).toContain('data-start-level="0"');
    const preloads = links(res.headers.get("Link")).filter(([, p]) => p.includes("as=fetch"));
    expect(preloads.map(([url]) => url.replace(`${BASE}/videos/${videoId}/`, ""))).toEqual(["144p/seg_00001.ts"]);
    expect(Object.keys(inlined(html)).map((url) => url.replace(`${BASE}/videos/${videoId}/`, ""))).toEqual([
      "master.m3u8",
      "144p/index.m3u8",
    ]);
  });

  it("puts a private video's playback token on every preloaded URL, as the player will ask for them", async () => {
    const owner = await registerUser();
    const { videoId } = await readyFmp4Video(owner, "private");
    const { res, html } = await watchPage(videoId, owner);
    const preloads = links(res.headers.get("Link")).filter(([, p]) => p.includes("as=fetch"));
    expect(preloads).toHaveLength(2);
    // The page's own playback token (the one the player gets in data-hls).
    const hls = /data-hls="([^"]+)"/.exec(html)![1]!.replaceAll("&amp;", "&");
    const token = new URL(hls).searchParams.get("token")!;
    expect(token).toMatch(/^\d+\./);
    for (const [url] of preloads) {
      expect(new URL(url).searchParams.get("token"), url).toBe(token);
      expect((await exports.default.fetch(new Request(url))).status, url).toBe(200);
    }
  });

  it("draws the inline poster with the HTML (no request for it); the API does not carry it", async () => {
    const inline = `data:image/jpeg;base64,${btoa("a small first frame")}`;
    const { videoId } = await readyFmp4Video(await registerUser(), "public", "Poster", inline);
    const { res, html } = await watchPage(videoId);
    expect(html).toContain(`poster="${inline}"`);
    expect(html).toContain(`style="background-image:url(&quot;${inline}&quot;)"`);
    // The CSP admits it (img-src data:).
    expect(res.headers.get("Content-Security-Policy")).toMatch(/img-src [^;]*data:/);
    const page = await (await api(`/api/v1/videos/${videoId}`)).json();
    expect(JSON.stringify(page)).not.toContain("data:image");
    expect(page).not.toHaveProperty("poster_inline");
  });

  it("preloads no media for a video that does not play yet", async () => {
    const { videoId } = await processingVideo(await registerUser());
    const { res, html } = await watchPage(videoId);
    expect(html).toContain('data-start-level=""');
    expect(links(res.headers.get("Link")).map(([, params]) => params)).toEqual(
      expect.arrayContaining(["rel=modulepreload"]),
    );
    expect(links(res.headers.get("Link")).every(([, params]) => params === "rel=modulepreload")).toBe(true);
  });
});

describe("client scripts", () => {
  it("are served under content-hashed names that browsers keep a year; the manifest and favicon are revalidated", async () => {
    const { scripts, styles } = await manifest();
    expect(Object.keys(scripts).sort()).toEqual([
      "analytics",
      "beacons",
      "channel",
      "common",
      "player",
      "playlist",
      "report",
      "save",
      "upload",
      "watch",
      "watch-list",
    ]);
    const hashed = [...Object.values(scripts).flatMap((s) => [s.src, ...s.imports]), ...Object.values(styles)];
    for (const url of hashed) {
      expect(url).toMatch(/^\/assets\/h\/(chunks\/)?[a-z_-]+-[A-Z0-9]{8}\.(js|css)$/);
      const res = await env.ASSETS.fetch(new Request(`${BASE}${url}`));
      expect(res.status, url).toBe(200);
      expect(res.headers.get("Cache-Control"), url).toBe("public, max-age=31536000, immutable");
    }
    for (const url of ["/assets/manifest.json", "/assets/favicon.svg"]) {
      const res = await env.ASSETS.fetch(new Request(`${BASE}${url}`));
      expect(res.status, url).toBe(200);
      expect(res.headers.get("Cache-Control") ?? "", url).not.toContain("immutable");
    }
    // The rules file is read by the asset server, not served.
    expect((await env.ASSETS.fetch(new Request(`${BASE}/_headers`))).status).toBe(404);
  });
});
