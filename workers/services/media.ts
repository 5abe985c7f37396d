import type { Database } from "../env";
import { notFound, problem } from "../lib/errors";
import { verifyScope } from "../lib/signing";
import { cached, cacheKeys } from "../storage/edge-cache";
import { contentTypeOf, isPlaylist, MEDIA_PATH, type MediaStore, mediaUrl } from "../storage/media";
import { listRenditions } from "../storage/renditions";
import { accessOf, videoBlocked } from "./videos";

/**
 * HLS delivery (spec: Video Streaming Flow): `/videos/{id}/{path}` from R2 through the Cache
 * API, with byte ranges, ETags and CORS for players. Private media needs the signed
 * playback token, which playlists carry down to every URI they list.
 */
export interface MediaRequest {
  db: Database;
  media: MediaStore;
  signingSecret: string;
  videoId: string;
  path: string;
  method: "GET" | "HEAD";
  headers: Headers;
  token: string | undefined;
  /** The request's origin: cache keys are per URL, without the token. */
  origin: string;
  waitUntil(promise: Promise<unknown>): void;
  /** Now, in ms (tests move it). */
  now?: number;
}

const YEAR_SECONDS = 31_536_000;

/**
 * Every answer under /videos/, errors included, carries these: a player on another origin
 * that cannot read the answer sees only a network error and cannot tell the viewer why.
 */
export const MEDIA_CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Content-Length, Content-Range, Accept-Ranges, ETag",
};

const invalidToken = () =>
  problem("invalid_token", { detail: "The playback token is invalid or has expired; reload the video page." });

/** Appends the token to every URI in a playlist (segment lines and URI="..." attributes). */
export function carryToken(playlist: string, token: string): string {
  const query = `token=${encodeURIComponent(token)}`;
  const withToken = (uri: string) => `${uri}${uri.includes("?") ? "&" : "?"}${query}`;
  return playlist
    .split("\n")
    .map((line) => {
      if (!line.trim()) return line;
      if (line.startsWith("#")) return line.replace(/URI="([^"]+)"/g, (_m, uri: string) => `URI="${withToken(uri)}"`);
      return withToken(line.trim());
    })
    .join("\n");
}

/**
 * A storyboard track's cues name its sprite (`sprite.jpg#xywh=...`); for a private video the
 * sprite needs the token too, ahead of the fragment.
 */
export function carryTokenInVtt(vtt: string, token: string): string {
  const query = `token=${encodeURIComponent(token)}`;
  return vtt
    .split("\n")
    .map((line) => {
      const cue = /^([^\s#?]+\.(?:jpg|jpeg|png|webp))(#\S*)?$/.exec(line.trim());
      return cue ? `${cue[1]}?${query}${cue[2] ?? ""}` : line;
    })
    .join("\n");
}

/** Who asked, as far as caching goes: anyone (public or unlisted), or one viewer until their token expires. */
interface Audience {
  /** Seconds until the playback token expires; undefined for media anyone may fetch. */
  tokenSeconds?: number;
  /** The video is still processing: its playlists change. */
  processing: boolean;
}

/**
 * Step 1, who may fetch, before anything is served (the edge cache included): the video's
 * access (an isolate memo, then the Cache API, then D1), so a block or a suspension stops
 * every copy at once. A blocked video answers 451 to everyone, signed URLs included; a
 * private one needs its playback token (its signature checked without D1), and tokenless
 * fails like a missing video, as does one whose owner is suspended.
 */
async function authorise(req: MediaRequest, now: number): Promise<Audience> {
  const access = await accessOf(req.db, req.videoId);
  if (!access || access.owner_suspended) throw notFound("Video");
  if (access.blocked) throw videoBlocked();
  if (req.token !== undefined) {
    const [exp, sig] = req.token.split(".");
    if (!(await verifyScope(req.signingSecret, req.videoId, "play", exp, sig, now))) throw invalidToken();
    return {
      tokenSeconds: Math.max(0, Number(exp) - Math.floor(now / 1000)),
      processing: access.status === "processing",
    };
  }
  if (access.visibility === "private") throw notFound("Video");
  return { processing: access.status === "processing" };
}

/**
 * The cache policy: segments never change (a year, immutable); the master playlist gains
 * renditions while the video processes, so playlists stay short-lived. Private media is
 * kept only by the viewer's own cache, and no longer than their token lives.
 */
function cacheControl(path: string, audience: Audience): string {
  const maxAge = isPlaylist(path) ? (audience.processing ? 2 : 300) : YEAR_SECONDS;
  if (audience.tokenSeconds === undefined)
    return `public, max-age=${maxAge}${maxAge === YEAR_SECONDS ? ", immutable" : ""}`;
  return `private, max-age=${Math.min(maxAge, audience.tokenSeconds)}`;
}

function headersFor(object: R2Object, path: string, audience: Audience): Headers {
  const headers = new Headers(MEDIA_CORS);
  headers.set("Content-Type", object.httpMetadata?.contentType ?? contentTypeOf(path));
  headers.set("ETag", object.httpEtag);
  headers.set("Accept-Ranges", "bytes");
  headers.set("Last-Modified", object.uploaded.toUTCString());
  headers.set("Cache-Control", cacheControl(path, audience));
  return headers;
}

/** Whether the request asks for one `bytes=` range (anything else is served whole). */
function wantsRange(headers: Headers): boolean {
  const range = headers.get("Range")?.trim();
  return !!range && /^bytes=(\d*)-(\d*)$/.test(range) && range !== "bytes=-";
}

const unsatisfiable = (size: number) =>
  new Response(null, { status: 416, headers: { ...MEDIA_CORS, "Content-Range": `bytes */${size}` } });

/** Step 2, the edge cache: an answer any viewer may get (the policy is applied per viewer in `finish`). */
async function fromCache(req: MediaRequest, cacheKey: string, conditional: Headers): Promise<Response | undefined> {
  // `Cache-Control: no-cache` from the client asks for the origin's copy (RFC 9111 5.2.1.4).
  if (/no-cache/i.test(req.headers.get("Cache-Control") ?? "")) return undefined;
  return caches.default.match(new Request(cacheKey, { headers: conditional }));
}

/** Step 3a, HEAD from R2: the object's headers, no body. */
async function headFromR2(req: MediaRequest, audience: Audience): Promise<Response> {
  const head = await req.media.headMedia(req.videoId, req.path);
  if (!head) throw notFound("Media");
  const headers = headersFor(head, req.path, audience);
  headers.set("Content-Length", String(head.size));
  return new Response(null, { headers });
}

/**
 * Objects up to this size (a 6 s 1080p segment is about 3.3 MB) are read whole on a miss and
 * handed to the viewer and the cache as bytes: a tee of the R2 body cost a miss about 6% of its
 * throughput locally (docs/benchmarks.md, "Delivery"), and a player takes a segment whole anyway.
 */
const BUFFER_BYTES = 8 * 1024 * 1024;

/** Step 3b, GET from R2: conditional (304), ranged (206, 416), or whole (200, also put in the edge cache). */
async function getFromR2(req: MediaRequest, audience: Audience, cacheKey: string, conditional: Headers) {
  const ranged = !isPlaylist(req.path) && wantsRange(conditional);
  let object: R2ObjectBody | R2Object | null;
  try {
    object = await req.media.getMedia(req.videoId, req.path, {
      onlyIf: conditional,
      ...(ranged ? { range: conditional } : {}),
    });
  } catch {
    // R2 refuses a range outside the object.
    const head = await req.media.headMedia(req.videoId, req.path);
    if (!head) throw notFound("Media");
    return unsatisfiable(head.size);
  }
  if (!object) throw notFound("Media");
  const headers = headersFor(object, req.path, audience);
  if (!("body" in object)) return new Response(null, { status: 304, headers });
  const start = /^bytes=(\d+)-/.exec(conditional.get("Range") ?? "")?.[1];
  if (ranged && start !== undefined && Number(start) >= object.size) {
    await object.body.cancel();
    return unsatisfiable(object.size);
  }
  if (ranged && object.range && "offset" in object.range) {
    const offset = object.range.offset ?? 0;
    const length = object.range.length ?? object.size - offset;
    headers.set("Content-Range", `bytes ${offset}-${offset + length - 1}/${object.size}`);
    headers.set("Content-Length", String(length));
    return new Response(object.body, { status: 206, headers });
  }
  // Whole object: one copy to the viewer, one to the edge cache (with the policy for anyone).
  const shared = headersFor(object, req.path, { processing: audience.processing });
  shared.set("Content-Length", String(object.size));
  headers.set("Content-Length", String(object.size));
  if (object.size <= BUFFER_BYTES) {
    const bytes = await object.arrayBuffer();
    req.waitUntil(caches.default.put(cacheKey, new Response(bytes.slice(0), { headers: shared })));
    return new Response(bytes, { status: 200, headers });
  }
  const [forViewer, forCache] = object.body.tee();
  req.waitUntil(caches.default.put(cacheKey, new Response(forCache, { headers: shared })));
  return new Response(forViewer, { status: 200, headers });
}

/** Step 4, this viewer's answer: their cache policy, the token carried down a playlist, no body for HEAD. */
async function finish(req: MediaRequest, audience: Audience, res: Response): Promise<Response> {
  const headers = new Headers(res.headers);
  for (const [name, value] of Object.entries(MEDIA_CORS)) headers.set(name, value);
  if (res.status === 200 || res.status === 206 || res.status === 304) {
    headers.set("Cache-Control", cacheControl(req.path, audience));
  }
  // A storyboard's cues name images that need the token; a caption's cues are text, left as sent.
  const track = req.path.endsWith(".vtt") && !req.path.startsWith("captions/");
  if ((isPlaylist(req.path) || track) && req.token && res.status === 200 && req.method === "GET") {
    headers.delete("Content-Length");
    const body = await res.text();
    const text = track ? carryTokenInVtt(body, req.token) : carryToken(body, req.token);
    return new Response(text, { status: 200, headers });
  }
  return new Response(req.method === "HEAD" ? null : res.body, { status: res.status, headers });
}

export async function serveMedia(req: MediaRequest): Promise<Response> {
  if (!MEDIA_PATH.test(req.path)) throw notFound("Media");
  const audience = await authorise(req, req.now ?? Date.now());
  const cacheKey = mediaUrl(req.origin, req.videoId, req.path);
  // Playlists are served whole (they are small and may be rewritten); media honours ranges.
  const conditional = new Headers();
  for (const name of ["If-None-Match", "If-Modified-Since", ...(isPlaylist(req.path) ? [] : ["Range"])]) {
    const value = req.headers.get(name);
    if (value) conditional.set(name, value);
  }
  const hit = await fromCache(req, cacheKey, conditional);
  if (hit) return finish(req, audience, hit);
  if (req.method === "HEAD") return finish(req, audience, await headFromR2(req, audience));
  return finish(req, audience, await getFromR2(req, audience, cacheKey, conditional));
}

/** Where the watch page's player starts. */
export interface PlaybackStart {
  /** The start rendition's index among hls.js's levels (video renditions by height, lowest first). */
  level: number;
  /**
   * What the player fetches first, in order, relative to the video's media: the start
   * rendition's playlist, its initialization segment (fMP4) and its first segment.
   */
  files: string[];
  /**
   * The master and the start rendition's playlist as stored (no token), for the page to hand
   * the player with the HTML: present when both are complete (the start playlist ends, the
   * master lists it) and small enough to inline.
   */
  playlists?: { master: string; start: string };
}

/** The start rendition's short side at least: a picture worth watching, and a small first segment. */
const START_SHORT_SIDE = 360;
const START_CACHE_SECONDS = 300;
/** Playlists larger than this (a start rendition of about 20 minutes and more) are fetched, not inlined. */
const INLINE_PLAYLIST_BYTES = 8_192;

/** The initialization segment and first segment a media playlist names (relative to it). */
function firstFiles(playlist: string): string[] {
  const lines = playlist.split("\n").map((l) => l.trim());
  const init = lines.find((l) => l.startsWith("#EXT-X-MAP:"))?.match(/URI="([^"]+)"/)?.[1];
  const first = lines.find((l) => l && !l.startsWith("#"));
  return [...(init ? [init] : []), ...(first ? [first] : [])];
}

/**
 * The start level the watch page gives its player, and the files to preload for it: the
 * lowest rendition of 360p or more (the top of a shorter ladder), which is also the one a
 * video plays with while it processes (the transcoder encodes it first). hls.js then moves up
 * as fast as the viewer's link allows. Cached with the video's other answers (purged on every
 * change); undefined while nothing plays.
 */
export async function playbackStart(
  deps: { db: Database; media: MediaStore },
  videoId: string,
): Promise<PlaybackStart | undefined> {
  return cached(
    cacheKeys.start(videoId),
    START_CACHE_SECONDS,
    async () => {
      // hls.js sorts its levels by height, then frame rate, then average bitrate.
      const video = (await listRenditions(deps.db, videoId))
        .filter((r) => r.height > 0)
        .sort(
          (a, b) =>
            a.height - b.height ||
            (a.frameRate ?? 0) - (b.frameRate ?? 0) ||
            (a.averageBandwidth ?? a.bandwidth) - (b.averageBandwidth ?? b.bandwidth),
        );
      const start = video.find((r) => Math.min(r.width, r.height) >= START_SHORT_SIDE) ?? video.at(-1);
      if (!start) return undefined;
      const [text, master] = await Promise.all([
        readText(deps.media, videoId, start.playlist),
        readText(deps.media, videoId, "master.m3u8"),
      ]);
      const dir = start.playlist.includes("/") ? start.playlist.slice(0, start.playlist.lastIndexOf("/") + 1) : "";
      const whole =
        text.length <= INLINE_PLAYLIST_BYTES &&
        master.length <= INLINE_PLAYLIST_BYTES &&
        /^#EXT-X-ENDLIST\s*$/m.test(text) &&
        master.split("\n").some((line) => line.trim() === start.playlist);
      return {
        level: video.indexOf(start),
        files: [start.playlist, ...firstFiles(text).map((f) => `${dir}${f}`)],
        ...(whole ? { playlists: { master, start: text } } : {}),
      };
    },
    { memoMs: 1_000 },
  );
}

/** A playlist's text ("" if missing). */
async function readText(media: MediaStore, videoId: string, path: string): Promise<string> {
  const object = await media.getMedia(videoId, path, {});
  // Read as bytes: the object's text type (an HLS playlist) is not one workerd decodes quietly.
  return object && "body" in object ? new TextDecoder().decode(await object.arrayBuffer()) : "";
}

/**
 * `Link` header values that have the browser fetch, while the page's scripts load, what the
 * player asks for first: the master, the start rendition's playlist, initialization and first
 * segments, as hls.js will ask (CORS, no credentials; a private video's token on each URL).
 * Playlists the page inlines (`inlined`) are not fetched at all.
 */
export function playbackPreloads(hlsUrl: string, videoId: string, start: PlaybackStart, inlined = false): string[] {
  const { url } = playbackUrls(hlsUrl, videoId);
  const files = inlined ? start.files.slice(1) : start.files;
  const urls = [...(inlined ? [] : [hlsUrl]), ...files.map(url)];
  return urls.map((u) => `<${u}>; rel=preload; as=fetch; crossorigin=anonymous`);
}

/** A video's media URLs as its player asks for them: the master's origin, a private video's token on each. */
function playbackUrls(hlsUrl: string, videoId: string) {
  const master = new URL(hlsUrl);
  const token = master.searchParams.get("token");
  const query = token ? `?token=${encodeURIComponent(token)}` : "";
  return { token, url: (file: string) => `${mediaUrl(master.origin, videoId, file)}${query}` };
}

/**
 * The master and start playlists for the page to carry, keyed by the URL the player will ask
 * for them by, exactly as `serveMedia` would answer (a private video's token carried down):
 * the player then starts on the segments, with no playlist round trip before them.
 */
export function inlinePlaylists(hlsUrl: string, videoId: string, start: PlaybackStart): Record<string, string> | null {
  const [startPlaylist] = start.files;
  if (!start.playlists || !startPlaylist) return null;
  const { token, url } = playbackUrls(hlsUrl, videoId);
  const carry = (text: string) => (token ? carryToken(text, token) : text);
  return { [hlsUrl]: carry(start.playlists.master), [url(startPlaylist)]: carry(start.playlists.start) };
}
