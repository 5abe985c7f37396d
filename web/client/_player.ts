// The player: hls-video-element, which drives hls.js, evaluated and given its source by the
// watch page's first script (player.ts); media-chrome's controls (_controls.ts) load after
// the first frame, in their own chunk.
import "hls-video-element";

interface HlsLevel {
  width: number;
  height: number;
}
interface HlsApi {
  levels: HlsLevel[];
  currentLevel: number;
  on(event: string, handler: (event: string, data: unknown) => void): void;
  autoLevelEnabled: boolean;
}
// A private video's playback token, shared by the player (every hls.js request carries the
// newest) and the page script that fetches a fresh one before it runs out (watch.ts). It lives
// here, not in a module of its own: a module that player.ts and watch.ts both import would be
// a chunk of its own, one more request before the first frame (six files then asked for at
// once, as many as a browser opens to a host over HTTP/1.1; docs/benchmarks.md, issue 20).
let token: string | null = null;

export const playbackToken = (): string | null => token;

export function setPlaybackToken(next: string | null): void {
  token = next;
}

export interface HlsVideo extends HTMLVideoElement {
  config: Record<string, unknown> | null;
  api: HlsApi | null;
  /** The <video> inside the element's shadow root (custom-media-element). */
  nativeEl?: HTMLVideoElement;
}

const TOKEN = /([?&])token=[^&]*/;

/** What hls.js hands a loader and expects back (the parts used here). */
interface LoaderContext {
  url: string;
}
interface LoaderCallbacks {
  onSuccess(
    response: { url: string; data: string; code: number },
    stats: unknown,
    context: LoaderContext,
    details: null,
  ): void;
}
interface Loader {
  stats: { loaded: number; total: number; loading: { start: number; first: number; end: number } };
  context: LoaderContext | null;
  getCacheAge?(): number | null;
  getResponseHeader?(name: string): string | null;
  load(context: LoaderContext, config: unknown, callbacks: LoaderCallbacks): void;
  abort(): void;
  destroy(): void;
}
type LoaderClass = new (config: { loader: LoaderClass }) => Loader;

/**
 * hls.js's playlist loader (`pLoader`), answering the playlists the page carries (the master and
 * the start rendition's, keyed by URL) from memory, each once; every other request, and any
 * later reload, goes to hls.js's own loader. The player's first requests are then the segments.
 */
function inlineLoader(playlists: Map<string, string>): LoaderClass {
  return class InlinePlaylistLoader implements Loader {
    #inner: Loader;
    #aborted = false;
    #inline: LoaderContext | null = null;
    constructor(config: { loader: LoaderClass }) {
      this.#inner = new config.loader(config);
    }
    get stats() {
      return this.#inner.stats;
    }
    get context() {
      return this.#inline ?? this.#inner.context;
    }
    getCacheAge() {
      return this.#inline ? 0 : (this.#inner.getCacheAge?.() ?? null);
    }
    getResponseHeader(name: string) {
      return this.#inline ? null : (this.#inner.getResponseHeader?.(name) ?? null);
    }
    load(context: LoaderContext, config: unknown, callbacks: LoaderCallbacks) {
      const key = new URL(context.url, location.href).href;
      const text = playlists.get(key);
      if (text === undefined) return this.#inner.load(context, config, callbacks);
      playlists.delete(key);
      this.#inline = context;
      const stats = this.#inner.stats;
      const now = performance.now();
      stats.loading = { start: now, first: now, end: now };
      stats.loaded = stats.total = text.length;
      // Answered as a network load would be: after this call returns.
      queueMicrotask(() => {
        if (!this.#aborted) callbacks.onSuccess({ url: context.url, data: text, code: 200 }, stats, context, null);
      });
    }
    abort() {
      this.#aborted = true;
      this.#inner.abort();
    }
    destroy() {
      this.#aborted = true;
      this.#inner.destroy();
    }
  };
}

/** The playlists the watch page carries (#hls-playlists), by absolute URL; empty without them. */
export function pagePlaylists(): Map<string, string> {
  const text = document.getElementById("hls-playlists")?.textContent;
  if (!text) return new Map();
  try {
    const entries = Object.entries(JSON.parse(text) as Record<string, unknown>);
    return new Map(
      entries.flatMap(([url, body]) => (typeof body === "string" ? [[new URL(url, location.href).href, body]] : [])),
    );
  } catch {
    return new Map();
  }
}

/**
 * Starts playback of `src`. `token()` gives the current playback token of a private video:
 * every playlist and segment request is rewritten to carry it, so a token refreshed while
 * the viewer paused for hours is used by the next request (hls.js lets xhrSetup open the
 * request itself). `startLevel` is the server's choice among hls.js's levels (sorted by
 * height): the rendition whose playlist and first segment the page already preloads.
 * `playlists` are the ones the page carries (pagePlaylists), answered without a request.
 */
export function startPlayer(
  video: HlsVideo,
  src: string,
  token: () => string | null,
  resumeAt: number,
  startLevel?: number,
  playlists: Map<string, string> = new Map(),
) {
  video.config = {
    ...(startLevel !== undefined && Number.isInteger(startLevel) && startLevel >= 0 ? { startLevel } : {}),
    ...(playlists.size ? { pLoader: inlineLoader(playlists) } : {}),
    // A video still processing has open-ended (EVENT) playlists, where hls.js would start at
    // the live edge: a viewer starts at the beginning, or where they left off.
    startPosition: Number.isFinite(resumeAt) ? Math.max(resumeAt, 0) : 0,
    xhrSetup(xhr: XMLHttpRequest, url: string) {
      const current = token();
      if (current && TOKEN.test(url)) xhr.open("GET", url.replace(TOKEN, `$1token=${current}`), true);
    },
  };
  video.src = src;
  // Resuming at the very end would only show the last frame: start over instead. And hls.js
  // places an open-ended playlist at its live edge, possibly after metadata is in: the
  // position is corrected until playback has begun where it should.
  let settled = false;
  const settle = (event: Event) => {
    if (settled) return;
    const target = resumeAt < video.duration - 3 ? resumeAt : 0;
    if (Math.abs(video.currentTime - target) > 1) video.currentTime = target;
    else if (event.type === "playing" || event.type === "timeupdate") settled = true;
  };
  for (const event of ["loadedmetadata", "canplay", "playing", "timeupdate"]) video.addEventListener(event, settle);
  showLevel(video);
}

/**
 * A rendition's name by the picture's short side, as the transcoder names renditions and
 * media-chrome's quality menu lists them: a portrait 1080x1920 rendition is "1080p".
 */
export const renditionName = (level: { width: number; height: number }) =>
  `${Math.min(level.width, level.height) || level.height}p`;

/**
 * The quality menu's current level, shown beside it ("Auto · 360p"): from hls.js's level and
 * fragment events once the element has created its hls.js instance, and from its current
 * level as the clock moves.
 */
function showLevel(video: HlsVideo) {
  const badge = document.getElementById("current-level");
  if (!badge) return;
  const show = (index: number) => {
    const api = video.api;
    const level = api?.levels[index];
    if (!api || !level) return;
    const text = `${api.autoLevelEnabled ? "Auto · " : ""}${renditionName(level)}`;
    if (badge.textContent !== text) badge.textContent = text;
  };
  const attach = () => {
    const api = video.api;
    if (!api) return void setTimeout(attach, 200);
    api.on("hlsLevelSwitched", (_event, data) => show((data as { level: number }).level));
    api.on("hlsFragChanged", (_event, data) => show((data as { frag: { level: number } }).frag.level));
  };
  attach();
  for (const event of ["playing", "timeupdate", "seeked"]) {
    video.addEventListener(event, () => {
      const api = video.api;
      if (api && api.currentLevel >= 0) show(api.currentLevel);
    });
  }
}
