import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signScope } from "../../workers/lib/signing";
import {
  api,
  FMP4_MASTER,
  fmp4Playlist,
  INIT,
  MASTER,
  readyFmp4Video,
  readyVideo,
  registerUser,
  SEGMENT,
} from "./fixtures";
import { stubTranscoder } from "./transcoder-stub";

stubTranscoder();

const BASE = "http://cloudtube.test";
const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
  exports.default.fetch(new Request(`${BASE}${path}`, { method, headers }));

describe("delivery: HLS from R2 through the cache", () => {
  // readyVideo is stored as MPEG-TS, as every video made before fMP4 became the default:
  // those keep playing exactly as they did.
  it("serves a video stored as MPEG-TS: master, segments and thumbnails with their types, CORS and cache policy", async () => {
    const { videoId } = await readyVideo(await registerUser());
    const master = await get(`/videos/${videoId}/master.m3u8`);
    expect(master.status).toBe(200);
    expect(master.headers.get("Content-Type")).toBe("application/vnd.apple.mpegurl");
    expect(master.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(master.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(await master.text()).toBe(MASTER);

    for (let i = 0; i < 2; i++) {
      // The second read comes from the edge cache; both must be the same bytes.
      const segment = await get(`/videos/${videoId}/144p/seg_00001.ts`);
      expect(segment.status).toBe(200);
      expect(segment.headers.get("Content-Type")).toBe("video/mp2t");
      expect(segment.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
      expect(segment.headers.get("Accept-Ranges")).toBe("bytes");
      expect(new Uint8Array(await segment.arrayBuffer())).toEqual(SEGMENT);
    }
    const thumb = await get(`/videos/${videoId}/thumbnails/0_medium.jpg`);
    expect(thumb.headers.get("Content-Type")).toBe("image/jpeg");
  });

  it("honours byte ranges (206), refuses impossible ones (416), and answers HEAD", async () => {
    const { videoId } = await readyVideo(await registerUser());
    const path = `/videos/${videoId}/144p/seg_00001.ts`;
    for (let i = 0; i < 2; i++) {
      const part = await get(path, { Range: "bytes=100-199" });
      expect(part.status).toBe(206);
      expect(part.headers.get("Content-Range")).toBe(`bytes 100-199/${SEGMENT.length}`);
      expect(new Uint8Array(await part.arrayBuffer())).toEqual(SEGMENT.subarray(100, 200));
      await get(path); // fills the cache for the second round
    }
    const suffix = await get(path, { Range: "bytes=-10" });
    expect(suffix.status).toBe(206);
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(SEGMENT.subarray(SEGMENT.length - 10));
    const beyond = await get(`/videos/${videoId}/144p/seg_00002.ts`, { Range: "bytes=5000-6000" });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("Content-Range")).toBe("bytes */1000");
    const head = await get(path, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("Content-Length")).toBe(String(SEGMENT.length));
    expect(await head.text()).toBe("");
  });

  it("answers 304 to If-None-Match with the current ETag", async () => {
    const { videoId } = await readyVideo(await registerUser());
    const path = `/videos/${videoId}/144p/seg_00002.ts`;
    const first = await get(path);
    const etag = first.headers.get("ETag")!;
    expect(etag).toMatch(/^"/);
    await first.arrayBuffer();
    for (let i = 0; i < 2; i++) {
      const again = await get(path, { "If-None-Match": etag });
      expect(again.status).toBe(304);
    }
    expect((await get(path, { "If-None-Match": '"other"' })).status).toBe(200);
  });

  it("answers CORS preflights from players and 404 problems for missing objects", async () => {
    const { videoId } = await readyVideo(await registerUser());
    const pre = await get(
      `/videos/${videoId}/master.m3u8`,
      { Origin: "https://player.example", "Access-Control-Request-Method": "GET" },
      "OPTIONS",
    );
    expect(pre.status).toBe(204);
    expect(pre.headers.get("Access-Control-Allow-Headers")).toContain("Range");
    const missing = await get(`/videos/${videoId}/720p/seg_00001.ts`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("Content-Type")).toBe("application/problem+json");
    expect((await get(`/videos/nosuchvideo/master.m3u8`)).status).toBe(404);
    // The source is never reachable through the media path.
    expect((await get(`/videos/${videoId}/source/original.mp4`)).status).toBe(404);
  });
});

describe("delivery: fMP4 (CMAF), the default", () => {
  it("serves the playlists, the initialization segment and .m4s segments with their types and cache policy", async () => {
    const { videoId } = await readyFmp4Video(await registerUser());
    const master = await get(`/videos/${videoId}/master.m3u8`);
    expect(await master.text()).toBe(FMP4_MASTER);
    const playlist = await get(`/videos/${videoId}/360p/index.m3u8`);
    expect(playlist.headers.get("Content-Type")).toBe("application/vnd.apple.mpegurl");
    expect(await playlist.text()).toBe(fmp4Playlist());
    for (let i = 0; i < 2; i++) {
      // The second read of each comes from the edge cache.
      const init = await get(`/videos/${videoId}/360p/init.mp4`);
      expect(init.status).toBe(200);
      expect(init.headers.get("Content-Type")).toBe("video/mp4");
      expect(init.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
      expect(new Uint8Array(await init.arrayBuffer())).toEqual(INIT);
      const segment = await get(`/videos/${videoId}/360p/seg_00000.m4s`);
      expect(segment.status).toBe(200);
      expect(segment.headers.get("Content-Type")).toBe("video/iso.segment");
      expect(segment.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
      expect(segment.headers.get("Accept-Ranges")).toBe("bytes");
      expect(new Uint8Array(await segment.arrayBuffer())).toEqual(SEGMENT);
    }
  });

  it("answers byte ranges of .m4s segments (206 from R2 and from the cache, 416 past the end) and HEAD", async () => {
    const { videoId } = await readyFmp4Video(await registerUser());
    const path = `/videos/${videoId}/144p/seg_00000.m4s`;
    for (const range of ["bytes=0-1023", "bytes=299000-", "bytes=-24"]) {
      for (let i = 0; i < 2; i++) {
        const part = await get(path, { Range: range });
        expect(part.status, range).toBe(206);
        const [start, end] =
          range === "bytes=-24"
            ? [SEGMENT.length - 24, SEGMENT.length - 1]
            : range === "bytes=0-1023"
              ? [0, 1023]
              : [299000, SEGMENT.length - 1];
        expect(part.headers.get("Content-Range")).toBe(`bytes ${start}-${end}/${SEGMENT.length}`);
        expect(part.headers.get("Content-Type")).toBe("video/iso.segment");
        expect(new Uint8Array(await part.arrayBuffer())).toEqual(SEGMENT.subarray(start, end + 1));
        await (await get(path)).arrayBuffer(); // the whole segment, into the cache for the second round
      }
    }
    const beyond = await get(`/videos/${videoId}/144p/seg_00001.m4s`, { Range: "bytes=2000-3000" });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("Content-Range")).toBe("bytes */1000");
    const head = await get(`/videos/${videoId}/144p/init.mp4`, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("Content-Length")).toBe(String(INIT.length));
  });

  it("carries a private video's playback token into EXT-X-MAP, so its initialization segment loads", async () => {
    const owner = await registerUser();
    const { videoId } = await readyFmp4Video(owner, "private");
    const page = (await (await api(`/api/v1/videos/${videoId}`, { as: owner })).json()) as { hls_url: string };
    const token = new URL(page.hls_url).searchParams.get("token")!;
    const q = `token=${encodeURIComponent(token)}`;
    const playlist = await (await get(`/videos/${videoId}/360p/index.m3u8?${q}`)).text();
    expect(playlist).toContain(`#EXT-X-MAP:URI="init.mp4?${q}"`);
    expect(playlist).toContain(`seg_00000.m4s?${q}`);
    const init = await get(`/videos/${videoId}/360p/init.mp4?${q}`);
    expect(init.status).toBe(200);
    expect(init.headers.get("Cache-Control")).toMatch(/^private/);
    expect((await get(`/videos/${videoId}/360p/init.mp4`)).status).toBe(404);
  });
});

describe("delivery: private videos", () => {
  it("plays for the owner through a signed URL carried down the playlists; others get nothing", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "private");
    const page = (await (await api(`/api/v1/videos/${videoId}`, { as: owner })).json()) as { hls_url: string };
    expect(page.hls_url).toMatch(new RegExp(`/videos/${videoId}/master.m3u8\\?token=`));
    const token = new URL(page.hls_url).searchParams.get("token")!;

    const master = await get(new URL(page.hls_url).pathname + new URL(page.hls_url).search);
    expect(master.status).toBe(200);
    expect(master.headers.get("Cache-Control")).toMatch(/^private/);
    const text = await master.text();
    expect(text).toContain(`144p/index.m3u8?token=${encodeURIComponent(token)}`);
    const media = await (await get(`/videos/${videoId}/144p/index.m3u8?token=${encodeURIComponent(token)}`)).text();
    expect(media).toContain(`seg_00001.ts?token=${encodeURIComponent(token)}`);
    const segment = await get(`/videos/${videoId}/144p/seg_00001.ts?token=${encodeURIComponent(token)}`);
    expect(new Uint8Array(await segment.arrayBuffer())).toEqual(SEGMENT);

    // No token, a forged one, an expired one, another video's one.
    expect((await get(`/videos/${videoId}/master.m3u8`)).status).toBe(404);
    expect((await get(`/videos/${videoId}/144p/seg_00001.ts`)).status).toBe(404);
    const [exp, sig] = token.split(".");
    expect((await get(`/videos/${videoId}/master.m3u8?token=${exp}.${sig!.slice(0, -3)}abc`)).status).toBe(403);
    expect((await get(`/videos/${videoId}/master.m3u8?token=1000.${sig}`)).status).toBe(403);
    const other = await readyVideo(owner, "private");
    expect((await get(`/videos/${other.videoId}/master.m3u8?token=${encodeURIComponent(token)}`)).status).toBe(403);

    const stranger = await registerUser();
    expect((await api(`/api/v1/videos/${videoId}`, { as: stranger })).status).toBe(404);
    expect((await api(`/api/v1/videos/${videoId}`)).status).toBe(404);
  });

  it("answers a private storyboard track whose sprites are signed with the asking token, and refuses an expired one", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "private");
    const SPRITE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7]);
    const VTT =
      "WEBVTT\n\n00:00.000 --> 00:02.000\nsprite.jpg#xywh=0,0,160,90\n\n00:02.000 --> 00:04.000\nsprite.jpg#xywh=160,0,160,90\n";
    await env.MEDIA.put(`videos/${videoId}/media/storyboard/sprite.jpg`, SPRITE);
    await env.MEDIA.put(`videos/${videoId}/media/storyboard/storyboard.vtt`, VTT);
    const vttAt = (token: string) => `/videos/${videoId}/storyboard/storyboard.vtt?token=${encodeURIComponent(token)}`;

    // The token a page was opened with, seven hours ago: its 6 h lifetime is over, so the
    // track it named and the sprites that track named are both refused.
    const signed = new URLSearchParams(
      await signScope(env.SIGNING_SECRET, videoId, "play", 6 * 3600, Date.now() - 7 * 3600_000),
    );
    const stale = `${signed.get("exp")}.${signed.get("sig")}`;
    expect((await get(vttAt(stale))).status).toBe(403);
    expect((await get(`/videos/${videoId}/storyboard/sprite.jpg?token=${encodeURIComponent(stale)}`)).status).toBe(403);

    // The fresh token the page fetches before then: its track names sprites under that token,
    // and each resolves (against the track's URL, as a player does) to the sprite's bytes.
    const page = (await (await api(`/api/v1/videos/${videoId}`, { as: owner })).json()) as { hls_url: string };
    const fresh = new URL(page.hls_url).searchParams.get("token")!;
    const track = await get(vttAt(fresh));
    expect(track.status).toBe(200);
    expect(track.headers.get("Content-Type")).toMatch(/^text\/vtt/);
    const cues = (await track.text()).split("\n").filter((line) => line.includes("#xywh="));
    expect(cues).toEqual([
      `sprite.jpg?token=${encodeURIComponent(fresh)}#xywh=0,0,160,90`,
      `sprite.jpg?token=${encodeURIComponent(fresh)}#xywh=160,0,160,90`,
    ]);
    for (const cue of cues) {
      const sprite = new URL(cue, `${BASE}${vttAt(fresh)}`);
      const res = await get(sprite.pathname + sprite.search);
      expect(res.status, cue).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(SPRITE);
    }
  });

  it("keeps private media in the viewer's cache no longer than the playback token lives", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "private");
    const page = (await (await api(`/api/v1/videos/${videoId}`, { as: owner })).json()) as { hls_url: string };
    const token = new URL(page.hls_url).searchParams.get("token")!;
    const tokenSeconds = Number(token.split(".")[0]) - Math.floor(Date.now() / 1000);
    for (const path of ["master.m3u8", "144p/seg_00001.ts", "144p/seg_00001.ts"]) {
      const res = await get(`/videos/${videoId}/${path}?token=${encodeURIComponent(token)}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      const cacheControl = res.headers.get("Cache-Control") ?? "";
      expect(cacheControl, path).toMatch(/^private, max-age=\d+$/);
      expect(Number(/max-age=(\d+)/.exec(cacheControl)?.[1]), path).toBeLessThanOrEqual(tokenSeconds);
    }
  });

  it("lets a player on another origin read every refusal under /videos/", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "private");
    const page = (await (await api(`/api/v1/videos/${videoId}`, { as: owner })).json()) as { hls_url: string };
    const [, sig] = new URL(page.hls_url).searchParams.get("token")!.split(".");
    for (const [path, status] of [
      [`/videos/${videoId}/master.m3u8?token=1000.${sig}`, 403], // expired token
      [`/videos/${videoId}/master.m3u8`, 404], // private, no token
      [`/videos/nosuchvideo/master.m3u8`, 404], // missing video
      [`/videos/${videoId}/144p/seg_99999.ts?token=x.y`, 403], // forged token
      [`/videos/bad!id/master.m3u8`, 404],
      [`/videos/${videoId}`, 404], // no media path at all
    ] as const) {
      const res = await get(path, { Origin: "https://player.example" });
      expect(res.status, path).toBe(status);
      expect(res.headers.get("Access-Control-Allow-Origin"), path).toBe("*");
      expect(res.headers.get("Access-Control-Expose-Headers"), path).toContain("Content-Range");
    }
  });

  it("stops serving tokenless media the moment a public video turns private", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    expect((await get(`/videos/${videoId}/master.m3u8`)).status).toBe(200);
    const edit = await api(`/api/v1/videos/${videoId}`, {
      method: "PATCH",
      as: owner,
      json: { visibility: "private" },
    });
    expect(edit.status).toBe(200);
    expect((await get(`/videos/${videoId}/master.m3u8`)).status).toBe(404);
    expect((await get(`/videos/${videoId}/144p/seg_00001.ts`)).status).toBe(404);
  });
});

describe("videos: page data, edit and delete", () => {
  it("answers the page data per the API document, served from cache and purged on edit", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner, "unlisted");
    const res = await api(`/api/v1/videos/${videoId}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Record<string, any>;
    expect(page).toMatchObject({
      id: videoId,
      title: "A test video",
      tags: ["test"],
      visibility: "unlisted",
      status: "ready",
      channel: { id: owner.channel_id, name: owner.username, verified: false },
      duration: 8,
      width: 256,
      height: 144,
      hls_url: `${BASE}/videos/${videoId}/master.m3u8`,
      renditions: [{ name: "144p", width: 256, height: 144, bandwidth: 288000, codecs: "avc1.64001f,mp4a.40.2" }],
      view_count: 0,
      like_count: 0,
      comment_count: 0,
      resume_position: null,
    });
    expect(page.thumbnails.default).toBe(`${BASE}/videos/${videoId}/thumbnails/0_medium.jpg`);
    expect(page).not.toHaveProperty("owner_id");

    const edited = await api(`/api/v1/videos/${videoId}`, {
      method: "PATCH",
      as: owner,
      json: { title: "New title", tags: ["a", "b"], description: "About it" },
    });
    expect(edited.status).toBe(200);
    const after = (await (await api(`/api/v1/videos/${videoId}`)).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ title: "New title", tags: ["a", "b"], description: "About it" });
  });

  it("lets only the owner edit or delete, and checks the edit", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    const other = await registerUser();
    expect((await api(`/api/v1/videos/${videoId}`, { method: "PATCH", as: other, json: { title: "x" } })).status).toBe(
      403,
    );
    expect((await api(`/api/v1/videos/${videoId}`, { method: "DELETE", as: other })).status).toBe(403);
    expect((await api(`/api/v1/videos/${videoId}`, { method: "PATCH", json: { title: "x" } })).status).toBe(401);
    for (const bad of [{ title: "" }, { visibility: "secret" }, { tags: "x" }, { status: "ready" }]) {
      const res = await api(`/api/v1/videos/${videoId}`, { method: "PATCH", as: owner, json: bad });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "validation_failed" });
    }
  });

  it("deletes every object, row and cached answer of the video", async () => {
    const owner = await registerUser();
    const { videoId } = await readyVideo(owner);
    expect((await get(`/videos/${videoId}/144p/seg_00001.ts`)).status).toBe(200);
    expect((await api(`/api/v1/videos/${videoId}`)).status).toBe(200);
    expect((await api(`/api/v1/videos/${videoId}/status`)).status).toBe(200);

    expect((await api(`/api/v1/videos/${videoId}`, { method: "DELETE", as: owner })).status).toBe(204);

    expect((await env.MEDIA.list({ prefix: `videos/${videoId}/` })).objects).toHaveLength(0);
    for (const table of ["videos", "uploads", "transcode_jobs", "renditions"]) {
      const column = table === "videos" ? "id" : "video_id";
      const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`).bind(videoId).first();
      expect(row, table).toEqual({ n: 0 });
    }
    expect((await api(`/api/v1/videos/${videoId}`)).status).toBe(404);
    expect((await api(`/api/v1/videos/${videoId}/status`)).status).toBe(404);
    expect((await get(`/videos/${videoId}/master.m3u8`)).status).toBe(404);
    expect((await get(`/videos/${videoId}/144p/seg_00001.ts`)).status).toBe(404);
  });
});
