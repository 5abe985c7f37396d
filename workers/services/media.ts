import type { Database } from "../env";
import { AppError, notFound } from "../lib/errors";
import { verifyScope } from "../lib/signing";
import { contentTypeOf, isPlaylist, MEDIA_PATH, type MediaStore, mediaUrl } from "../storage/media";
import { accessOf } from "./videos";

/**
 * HLS delivery (seed: Video Streaming Flow): `/videos/{id}/{path}` from R2 through the Cache
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
}

const IMMUTABLE = "public, max-age=31536000, immutable";

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Content-Length, Content-Range, Accept-Ranges, ETag",
};

const invalidToken = () =>
  new AppError(
    403,
    "invalid_token",
    "Forbidden",
    "The playback token is invalid or has expired; reload the video page.",
  );

async function tokenGrants(secret: string, videoId: string, token: string): Promise<boolean> {
  const [exp, sig] = token.split(".");
  return verifyScope(secret, videoId, "play", exp, sig);
}

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

function headersFor(object: R2Object, path: string, privateVideo: boolean, processing: boolean): Headers {
  const headers = new Headers(CORS);
  headers.set("Content-Type", object.httpMetadata?.contentType ?? contentTypeOf(path));
  headers.set("ETag", object.httpEtag);
  headers.set("Accept-Ranges", "bytes");
  headers.set("Last-Modified", object.uploaded.toUTCString());
  // The master playlist gains renditions while the video processes: keep it short-lived then.
  const shared = isPlaylist(path) ? `public, max-age=${processing ? 2 : 300}` : IMMUTABLE;
  headers.set("Cache-Control", privateVideo ? shared.replace("public", "private") : shared);
  return headers;
}

/** The edge cache's entry for an object: always the shared policy, whatever the viewer. */
function cacheEntry(object: R2ObjectBody | R2Object, body: ReadableStream | null, path: string, processing: boolean) {
  const headers = headersFor(object, path, false, processing);
  headers.set("Content-Length", String(object.size));
  return new Response(body, { headers });
}

/** Parses a single `bytes=` range; undefined (serve the whole object) for anything else. */
function wantsRange(headers: Headers): boolean {
  const range = headers.get("Range");
  return !!range && /^bytes=(\d*)-(\d*)$/.test(range.trim()) && range.trim() !== "bytes=-";
}

export async function serveMedia(req: MediaRequest): Promise<Response> {
  if (!MEDIA_PATH.test(req.path)) throw notFound("Media");

  let privateVideo = false;
  let processing = false;
  if (req.token !== undefined) {
    if (!(await tokenGrants(req.signingSecret, req.videoId, req.token))) throw invalidToken();
    privateVideo = true;
  } else {
    const access = await accessOf(req.db, req.videoId);
    // Private media without a token is not there for this caller.
    if (!access || access.visibility === "private") throw notFound("Video");
    processing = access.status === "processing";
  }

  const playlist = isPlaylist(req.path);
  const cacheKey = mediaUrl(req.origin, req.videoId, req.path);
  const finish = async (res: Response): Promise<Response> => {
    const headers = new Headers(res.headers);
    for (const [k, v] of Object.entries(CORS)) headers.set(k, v);
    if (privateVideo) headers.set("Cache-Control", (headers.get("Cache-Control") ?? "").replace("public", "private"));
    if (playlist && req.token && res.status === 200 && req.method === "GET") {
      const text = carryToken(await res.text(), req.token);
      headers.delete("Content-Length");
      return new Response(text, { status: 200, headers });
    }
    return new Response(req.method === "HEAD" ? null : res.body, { status: res.status, headers });
  };

  // Playlists are served whole (they are small and may be rewritten); media honours ranges.
  const conditional = new Headers();
  for (const name of ["If-None-Match", "If-Modified-Since", ...(playlist ? [] : ["Range"])]) {
    const value = req.headers.get(name);
    if (value) conditional.set(name, value);
  }
  const cache = caches.default;
  // `Cache-Control: no-cache` from the client asks for the origin's copy (RFC 9111 5.2.1.4).
  const revalidate = /no-cache/i.test(req.headers.get("Cache-Control") ?? "");
  const hit = revalidate ? undefined : await cache.match(new Request(cacheKey, { headers: conditional }));
  if (hit) return finish(hit);

  if (req.method === "HEAD") {
    const head = await req.media.headMedia(req.videoId, req.path);
    if (!head) throw notFound("Media");
    const headers = headersFor(head, req.path, privateVideo, processing);
    headers.set("Content-Length", String(head.size));
    return new Response(null, { headers });
  }

  const ranged = !playlist && wantsRange(conditional);
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
    return new Response(null, { status: 416, headers: { ...CORS, "Content-Range": `bytes */${head.size}` } });
  }
  if (!object) throw notFound("Media");
  if (!("body" in object)) {
    return finish(new Response(null, { status: 304, headers: headersFor(object, req.path, privateVideo, processing) }));
  }
  const headers = headersFor(object, req.path, privateVideo, processing);
  const start = /^bytes=(\d+)-/.exec(conditional.get("Range") ?? "")?.[1];
  if (ranged && start !== undefined && Number(start) >= object.size) {
    await object.body.cancel();
    return new Response(null, { status: 416, headers: { ...CORS, "Content-Range": `bytes */${object.size}` } });
  }
  if (ranged && object.range && "offset" in object.range) {
    const offset = object.range.offset ?? 0;
    const length = object.range.length ?? object.size - offset;
    headers.set("Content-Range", `bytes ${offset}-${offset + length - 1}/${object.size}`);
    headers.set("Content-Length", String(length));
    return finish(new Response(object.body, { status: 206, headers }));
  }
  // Whole object: one copy to the viewer, one to the edge cache.
  const [forViewer, forCache] = object.body.tee();
  req.waitUntil(cache.put(cacheKey, cacheEntry(object, forCache, req.path, processing)));
  headers.set("Content-Length", String(object.size));
  return finish(new Response(forViewer, { status: 200, headers }));
}
