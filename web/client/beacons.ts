// The watch page's player events for creator analytics (API.md "Creator analytics"; issue 23):
// start (with startup_ms, which player.ts records at the first frame), a heartbeat every 10 s
// while playing, seek (from, position), pause, end, rebuffer (rebuffer_ms) and error
// (error_code), each with the rendition on screen, batched and sent with
// navigator.sendBeacon every 30 s and when the page is hidden (with a pause at the position
// reached, when it was playing). Loaded after the first frame,
// like the rest of the page (player.ts).
import { csrfToken } from "./_api";
import { type HlsVideo, renditionName } from "./_player";
import { trafficSource } from "./_source";

type EventType = "start" | "heartbeat" | "seek" | "pause" | "end" | "rebuffer" | "error";
interface PlaybackEvent {
  type: EventType;
  position: number;
  at: string;
  from?: number;
  startup_ms?: number;
  rebuffer_ms?: number;
  rendition?: string;
  error_code?: string;
}

const HEARTBEAT_MS = 10_000;
const FLUSH_MS = 30_000;
/** The route's cap per batch (API.md). */
const MAX_BATCH = 100;
const MAX_STARTUP_MS = 10 * 60_000;

const root = document.getElementById("watch");
const video = document.getElementById("video") as HlsVideo | null;
const videoId = root?.dataset.videoId;

if (root && video && videoId) {
  const session = crypto.randomUUID();
  const source = trafficSource(location.search, document.referrer, location.origin);
  const signedIn = root.dataset.signedIn === "1";
  const url = `/api/v1/videos/${encodeURIComponent(videoId)}/playback-events${
    // sendBeacon cannot set X-CSRF-Token; a signed-in browser's cookie rides along, so the
    // token goes in the query on this one route (docs/api.md).
    signedIn ? `?csrf=${encodeURIComponent(csrfToken())}` : ""
  }`;
  const queue: PlaybackEvent[] = [];
  let started = false;
  /** The position as playback last reported it outside a seek. */
  let lastTime = video.currentTime;
  let stalledAt: number | undefined;

  const rendition = () => {
    const api = video.api;
    const level = api && api.currentLevel >= 0 ? api.levels[api.currentLevel] : undefined;
    return level ? renditionName(level) : undefined;
  };
  const position = () => Math.max(0, Number.isFinite(video.currentTime) ? video.currentTime : 0);
  const push = (type: EventType, extra: Partial<PlaybackEvent> = {}) => {
    const name = rendition();
    queue.push({
      type,
      position: Math.round(position() * 1000) / 1000,
      at: new Date().toISOString(),
      ...(name ? { rendition: name } : {}),
      ...extra,
    });
    if (queue.length >= MAX_BATCH) flush();
  };

  const flush = () => {
    while (queue.length) {
      const body = JSON.stringify({ session_id: session, source, events: queue.splice(0, MAX_BATCH) });
      // A string is sent as text/plain (no preflight, no header needed); the browser keeps the
      // request going after the page is gone. Refused (its queue is full): a keepalive fetch.
      if (!navigator.sendBeacon(url, body)) {
        void fetch(url, { method: "POST", body, keepalive: true, credentials: "same-origin" }).catch(() => {});
      }
    }
  };

  /**
   * When the first frame was on screen, in ms since navigation start: player.ts's mark, else
   * (playback just began) the next frame's, whose callback runs after player.ts's own.
   */
  const firstFrame = () =>
    new Promise<number>((resolve) => {
      const marked = () => Number(root.dataset.firstFrameMs);
      if (marked() > 0) return resolve(marked());
      const done = () => resolve(marked() > 0 ? marked() : performance.now());
      const native = video.nativeEl ?? video;
      if ("requestVideoFrameCallback" in native) native.requestVideoFrameCallback(done);
      else requestAnimationFrame(() => requestAnimationFrame(done));
    });
  const start = () => {
    if (started) return;
    started = true;
    void firstFrame().then((ms) => {
      // First in its batch, whatever came while the frame was awaited.
      const at = queue.length;
      // Past the route's 10 minutes (a page left open before a click), startup is not known.
      push("start", ms <= MAX_STARTUP_MS ? { startup_ms: Math.max(1, Math.round(ms)) } : {});
      if (at) queue.unshift(...queue.splice(at, 1));
    });
  };

  video.addEventListener("playing", () => {
    start();
    if (stalledAt !== undefined) {
      push("rebuffer", { rebuffer_ms: Math.round(performance.now() - stalledAt) });
      stalledAt = undefined;
    }
  });
  // Waiting for data while playing, not because of a seek: a stall.
  video.addEventListener("waiting", () => {
    if (started && !video.seeking && stalledAt === undefined) stalledAt = performance.now();
  });
  // A seek fires seeking, then timeupdate at the new position, then seeked: where it left
  // from is the last position before `seeking` (the first of a run of seeks).
  let seekFrom: number | undefined;
  video.addEventListener("timeupdate", () => {
    if (!video.seeking && seekFrom === undefined) lastTime = video.currentTime;
  });
  video.addEventListener("seeking", () => {
    seekFrom ??= lastTime;
  });
  video.addEventListener("seeked", () => {
    const from = seekFrom ?? lastTime;
    seekFrom = undefined;
    lastTime = video.currentTime;
    if (started) push("seek", { from: Math.round(from * 1000) / 1000 });
  });
  video.addEventListener("pause", () => {
    if (started && !video.ended) push("pause");
  });
  video.addEventListener("ended", () => {
    if (started) push("end");
    flush();
  });
  video.addEventListener("error", () => {
    const code = video.error?.code;
    push("error", { error_code: code ? `media_${code}` : "media_unknown" });
  });

  // Already playing when this script came in (a quick click, or autoplay): that was the start.
  if (!video.paused && video.readyState >= 3) start();

  setInterval(() => {
    if (started && !video.paused && !video.ended) push("heartbeat");
  }, HEARTBEAT_MS);
  setInterval(flush, FLUSH_MS);
  // The page goes out of sight (where a mobile browser may end it without pagehide) or away
  // while playing: a pause at the position it got to, so that retention knows how far the
  // viewer watched to the second rather than to the last heartbeat (10 s: a third of a 30 s
  // video; `npm run eval:analytics`). Then everything waiting is sent.
  const leave = () => {
    if (started && !video.paused && !video.ended) push("pause");
    flush();
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") leave();
  });
  addEventListener("pagehide", leave);
}
